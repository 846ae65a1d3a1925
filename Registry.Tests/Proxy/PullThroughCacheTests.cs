using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Metadata;
using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Proxy;

/// <summary>
/// The pull-through cache against CNCF distribution (htpasswd Basic auth) on loopback as the upstream, pulled
/// through us with skopeo: concurrent pulls fetch each blob once (counted in the upstream's access log), and
/// the same pull works with the upstream stopped.
/// </summary>
public abstract class PullThroughCacheTests(TestDatabase database)
{
    private const string User = "mirror", Password = "mirror-secret-1";

    [Fact]
    public async Task SkopeoPullsThroughOnceAndAgainWithTheUpstreamStopped()
    {
        await using var upstream = await DistributionRegistry.StartAsync((User, Password));
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("proxy/hello.txt", Guid.NewGuid().ToString())).Cmd("/bin/true").Build();
        await PushUpstreamAsync(upstream, image);
        // A ManifestTtl of zero: every tag pull revalidates with a HEAD.
        await using var server = await StartProxyAsync(upstream, manifestTtl: "00:00:00");
        var source = $"docker://{server.BaseAddress.Authority}/hub/library/app:1";
        using var first = new TempDirectory();
        using var second = new TempDirectory();

        await Task.WhenAll(Skopeo.CopyAsync(source, $"oci:{first.Path}:pulled"), Skopeo.CopyAsync(source, $"oci:{second.Path}:pulled"));
        foreach (var blob in image.Blobs)
        {
            Assert.True(File.Exists(Path.Combine(first.Path, "blobs", "sha256", blob.Digest.Hex)));
            Assert.True(File.Exists(Path.Combine(second.Path, "blobs", "sha256", blob.Digest.Hex)));
            Assert.Equal(1, upstream.CountRequests("GET", $"/v2/library/app/blobs/{blob.Digest}", 200));
        }

        // Once cached (manifest, blobs and tag stored behind the first pulls), the upstream is no longer needed.
        await WaitForAsync(async () =>
        {
            await using var scope = server.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<IMetadataStore>().GetTaggedManifestAsync("hub/library/app", "1", CancellationToken.None) is not null;
        });
        await upstream.StopAsync();
        using var offline = new TempDirectory();
        await Skopeo.CopyAsync(source, $"oci:{offline.Path}:pulled");
        Assert.True(File.Exists(Path.Combine(offline.Path, "blobs", "sha256", image.Digest.Hex)));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/hub/library/app/manifests/1");
        using var stale = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("110", string.Join(",", stale.Headers.GetValues("Warning")));

        // Never cached and the upstream gone: a clear 503, not a hang or a 500.
        using var missing = await server.Client.GetAsync("/v2/hub/library/other/manifests/1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, missing.StatusCode);
        Assert.Equal("UNAVAILABLE", await missing.ErrorCodeAsync());
    }

    [Fact]
    public async Task PushesIntoAProxyPrefixAreDeniedAndUnknownContentIsNotFound()
    {
        await using var upstream = await DistributionRegistry.StartAsync((User, Password));
        await using var server = await StartProxyAsync(upstream);
        using var upload = await server.Client.PostAsync("/v2/hub/library/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
        Assert.Equal("DENIED", await upload.ErrorCodeAsync());
        var someManifest = OciTestClient.ImageManifest(new { mediaType = Registry.Oci.MediaTypes.OciConfig, digest = $"sha256:{new string('b', 64)}", size = 2 }, []);
        using var manifest = await server.Client.PutManifestAsync("hub/library/app", "1", someManifest, Registry.Oci.MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Forbidden, manifest.StatusCode);
        Assert.Contains("pull-through cache", await manifest.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/v2/hub/library/nothing/manifests/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/v2/hub/library/nothing/blobs/sha256:{new string('a', 64)}")).StatusCode);
        // Outside the prefix the registry is an ordinary one.
        await server.Client.PushImageAsync("local/app", "1", Encoding.UTF8.GetBytes("local layer"));
    }

    [Fact]
    public async Task ABlobLinkedBeforeItsBytesArePublishedIsServedFromTheDownload()
    {
        // The fill links a blob a moment before it publishes the bytes (GC safety); a pull in between used to get a 404.
        // Simulated deterministically: the bytes are taken out of the store after the blob was cached.
        await using var upstream = await DistributionRegistry.StartAsync((User, Password));
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("proxy/window.txt", Guid.NewGuid().ToString())).Build();
        await PushUpstreamAsync(upstream, image);
        await using var server = await StartProxyAsync(upstream);
        var config = image.Config;
        var path = $"/v2/hub/library/app/blobs/{config.Digest}";
        Assert.Equal(config.Bytes, await server.Client.GetByteArrayAsync(path));
        // Linked first, then published: wait for both, so the bytes are known to be in the store before they go.
        string? stored = null;
        await WaitForAsync(async () =>
        {
            await using var scope = server.CreateScope();
            stored = Directory.EnumerateFiles(server.DataDirectory, config.Digest.Hex, SearchOption.AllDirectories)
                .SingleOrDefault(file => !file.Contains("proxy-downloads"));
            return stored is not null
                && await scope.ServiceProvider.GetRequiredService<IMetadataStore>().GetLinkedBlobSizeAsync("hub/library/app", config.Digest, CancellationToken.None) is not null;
        });
        File.Delete(stored!);

        using var response = await server.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(config.Bytes, await response.Content.ReadAsByteArrayAsync());
    }

    private static async Task PushUpstreamAsync(DistributionRegistry upstream, TestImage image)
    {
        using var pusher = new HttpClient { BaseAddress = upstream.BaseAddress };
        pusher.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        await new RegistryPushClient(pusher).PushAsync("library/app", image, "1");
    }

    /// <summary>Our registry with <c>hub/</c> proxying <paramref name="upstream"/> with its Basic credentials.</summary>
    private Task<RegistryServer> StartProxyAsync(DistributionRegistry upstream, string? manifestTtl = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Registry:Proxy:Upstreams:0:Prefix"] = "hub",
            ["Registry:Proxy:Upstreams:0:Url"] = upstream.BaseAddress.ToString(),
            ["Registry:Proxy:Upstreams:0:Username"] = User,
            ["Registry:Proxy:Upstreams:0:Password"] = Password,
        };
        if (manifestTtl is not null) settings["Registry:Proxy:Upstreams:0:ManifestTtl"] = manifestTtl;
        return RegistryServer.StartAsync(database, settings);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 60 s");
            await Task.Delay(200);
        }
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("proxy-pull-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

[Trait("Category", "Integration")]
public sealed class SqlitePullThroughCacheTests() : PullThroughCacheTests(TestDatabase.Sqlite);
[Trait("Category", "Integration")]
public sealed class PostgresPullThroughCacheTests() : PullThroughCacheTests(TestDatabase.Postgres);

public sealed class ProxySettingsTests
{
    [Fact]
    public async Task BadUpstreamSettingsStopTheStartWithEveryProblem()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RegistryServer.StartAsync(TestDatabase.Sqlite, new Dictionary<string, string?>
        {
            ["Registry:Proxy:Upstreams:0:Prefix"] = "Hub/x",
            ["Registry:Proxy:Upstreams:0:Url"] = "ftp://nowhere",
        }));
        Assert.Contains("Prefix must be one lower-case path component", error.Message);
        Assert.Contains("Url must be an http(s) URL", error.Message);
    }
}
