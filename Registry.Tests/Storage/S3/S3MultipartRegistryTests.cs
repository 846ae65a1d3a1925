using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Blobs;
using Registry.Tests.Infrastructure;
using Registry.Tests.ScaleOut;

namespace Registry.Tests.BlobStores.S3;

/// <summary>
/// A 17 MiB blob pushed through the registry API onto s3rver with a 6 MiB multipart threshold and 5 MiB
/// parts, monolithic and in chunks, pulls back byte-identical with the right size.
/// </summary>
[Trait("Category", "Integration")]
public sealed class S3MultipartRegistryTests
{
    private const int BlobSize = 17 * 1024 * 1024;

    [Fact]
    public async Task MonolithicPushAboveTheThresholdPullsBackIdentical()
    {
        await using var server = await StartAsync();
        var repository = OciTestClient.UniqueRepository("multipart");
        var content = OciTestClient.RandomBytes(BlobSize);

        var digest = await server.Client.PushBlobAsync(repository, content);

        await AssertPullsBackAsync(server.Client, repository, digest, content);
    }

    [Fact]
    public async Task ChunkedPushAboveTheThresholdPullsBackIdentical()
    {
        await using var server = await StartAsync();
        var repository = OciTestClient.UniqueRepository("multipart");
        var content = OciTestClient.RandomBytes(BlobSize);
        var location = await server.Client.StartUploadAsync(repository);

        // Chunk edges deliberately off the 5 MiB part boundaries.
        foreach (var (start, end) in new[] { (0, 7_000_000), (7_000_000, 7_000_123), (7_000_123, 16_000_000) })
        {
            using var patch = await server.Client.PatchChunkAsync(location, content[start..end], string.Create(CultureInfo.InvariantCulture, $"{start}-{end - 1}"));
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = patch.Headers.Location!.ToString();
        }
        var digest = OciTestClient.DigestOf(content);
        using var done = await server.Client.CompleteUploadAsync(location, digest, content[16_000_000..]);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);

        await AssertPullsBackAsync(server.Client, repository, digest, content);
    }

    private static async Task<RegistryServer> StartAsync()
    {
        var settings = ReplicaPair.S3Settings(TestServices.UniqueBucketName());
        settings["Registry:Storage:S3:MultipartThreshold"] = (6 * 1024 * 1024).ToString(CultureInfo.InvariantCulture);
        settings["Registry:Storage:S3:MultipartPartSize"] = (5 * 1024 * 1024).ToString(CultureInfo.InvariantCulture);
        var server = await RegistryServer.StartAsync(settings: settings);
        // The settings must reach the store, or these blobs would go up as one PUT and prove nothing.
        Assert.Equal(6 * 1024 * 1024, server.Services.GetRequiredService<BlobStoreOptions>().S3.MultipartThreshold);
        return server;
    }

    private static async Task AssertPullsBackAsync(HttpClient client, string repository, string digest, byte[] content)
    {
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(BlobSize, head.Content.Headers.ContentLength);

        var pulled = await client.GetByteArrayAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal(digest, OciTestClient.DigestOf(pulled));
        Assert.True(content.AsSpan().SequenceEqual(pulled), "the pulled bytes differ from the pushed ones");
    }
}
