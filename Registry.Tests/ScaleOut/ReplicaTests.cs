using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Registry.Oci;
using Registry.Tests.BlobStores;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.ScaleOut;

/// <summary>Replicas behind a load balancer: any request may land on either one.</summary>
public abstract class ReplicaTests : IAsyncLifetime
{
    private ReplicaPair replicas = null!;

    protected abstract Dictionary<string, string?> StoreSettings();

    public async Task InitializeAsync() => replicas = await ReplicaPair.StartAsync(StoreSettings());

    public async Task DisposeAsync() => await replicas.DisposeAsync();

    [Fact]
    public async Task ChunkedUploadAlternatingReplicasCompletesWithTheRightDigest()
    {
        var repository = OciTestClient.UniqueRepository("scale");
        var content = OciTestClient.RandomBytes(6 * 1024 * 1024 + 321); // more than one staged piece
        var digest = OciTestClient.DigestOf(content);
        var (a, b) = (replicas.First.Client, replicas.Second.Client);

        using var started = await a.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.ToString();
        var cuts = new[] { 0, 1024 * 1024, 5 * 1024 * 1024, content.Length };
        HttpClient[] order = [b, a, b];
        for (var i = 0; i < 3; i++)
        {
            using var chunk = new ByteArrayContent(content, cuts[i], cuts[i + 1] - cuts[i]);
            chunk.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            chunk.Headers.TryAddWithoutValidation("Content-Range", $"{cuts[i]}-{cuts[i + 1] - 1}"); // the OCI form, not RFC 9110's
            using var patched = await order[i].PatchAsync(location, chunk);
            Assert.True(patched.StatusCode == HttpStatusCode.Accepted, $"PATCH {i} answered {(int)patched.StatusCode}: {await patched.Content.ReadAsStringAsync()}");
            location = patched.Headers.Location!.ToString();
        }
        var separator = location.Contains('?') ? '&' : '?';
        using var finished = await a.PutAsync($"{location}{separator}digest={digest}", null);
        Assert.True(finished.StatusCode == HttpStatusCode.Created, $"PUT answered {(int)finished.StatusCode}: {await finished.Content.ReadAsStringAsync()}");

        var pulled = await b.GetByteArrayAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal(digest, OciTestClient.DigestOf(pulled));
    }

    [Fact]
    public async Task ManifestPushedOnOneReplicaPullsFromTheOther()
    {
        var repository = OciTestClient.UniqueRepository("scale");
        var (manifest, digest) = await replicas.First.Client.PushImageAsync(repository, "v1", OciTestClient.RandomBytes(4096));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/v1");
        request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
        using var pulled = await replicas.Second.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        Assert.Equal(manifest, await pulled.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, pulled.Headers.GetValues("Docker-Content-Digest").Single());
    }

    [Fact]
    public async Task TagMovedOnOneReplicaIsSeenOnTheOtherWithinTheCacheBound()
    {
        var repository = OciTestClient.UniqueRepository("scale");
        var (_, before) = await replicas.First.Client.PushImageAsync(repository, "latest", OciTestClient.RandomBytes(1000));
        Assert.Equal(before, await DigestOfTagAsync(replicas.Second.Client, repository)); // now cached on the second replica

        var (_, after) = await replicas.First.Client.PushImageAsync(repository, "latest", OciTestClient.RandomBytes(1000));
        var moved = Stopwatch.StartNew();
        string seen;
        while ((seen = await DigestOfTagAsync(replicas.Second.Client, repository)) != after
               && moved.Elapsed < ReplicaPair.TagCacheBound + TimeSpan.FromSeconds(2))
            await Task.Delay(100);
        Assert.Equal(after, seen);
    }

    private static async Task<string> DigestOfTagAsync(HttpClient client, string repository)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/latest");
        request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("Docker-Content-Digest").Single();
    }
}

[Trait("Category", "Integration")]
public sealed class S3ReplicaTests : ReplicaTests
{
    protected override Dictionary<string, string?> StoreSettings() => ReplicaPair.S3Settings(TestServices.UniqueBucketName());
}

[Trait("Category", "Integration")]
public sealed class AzureReplicaTests : ReplicaTests
{
    protected override Dictionary<string, string?> StoreSettings() => ReplicaPair.AzureSettings(TestServices.UniqueBucketName());
}
