using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.GarbageCollection;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.GarbageCollection;

/// <summary>The real registry with garbage collection settings, and what GC tests ask of it.</summary>
public static class GcTestServer
{
    /// <summary>Starts a registry whose collector uses <paramref name="gracePeriod"/> (and optional extra settings and services).</summary>
    public static Task<RegistryServer> StartAsync(TestDatabase database, TimeSpan gracePeriod, Dictionary<string, string?>? extra = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Registry:Gc:GracePeriod"] = gracePeriod.ToString("c"),
            ["Registry:ManifestCacheSeconds"] = "0",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return RegistryServer.StartAsync(database, settings, configure);
    }

    /// <summary>Runs one collection through the server's own collector.</summary>
    public static async Task<GarbageCollectionReport> CollectAsync(this RegistryServer server, bool dryRun = false)
    {
        await using var scope = server.CreateScope();
        var report = await scope.ServiceProvider.GetRequiredService<GarbageCollector>().RunAsync(dryRun, CancellationToken.None);
        Assert.NotNull(report);
        return report;
    }

    /// <summary>Whether the metadata database still has a row for the blob.</summary>
    public static async Task<bool> BlobRowExistsAsync(this RegistryServer server, string digest)
    {
        await using var scope = server.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<Registry.Storage.Metadata.RegistryDbContext>().Blobs.AnyAsync(b => b.Digest == digest);
    }

    /// <summary>How many upload session rows the metadata database holds.</summary>
    public static async Task<int> QueryUploadSessionsAsync(this RegistryServer server)
    {
        await using var scope = server.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<Registry.Storage.Metadata.RegistryDbContext>().UploadSessions.CountAsync();
    }

    /// <summary>Whether the filesystem store holds the blob's bytes.</summary>
    public static bool BlobFileExists(this RegistryServer server, string digest)
    {
        var hex = digest.Split(':')[1];
        return File.Exists(Path.Combine(server.DataDirectory, "blobs", "sha256", hex[..2], hex));
    }

    /// <summary>GETs a blob and asserts 200 with exactly <paramref name="expected"/>.</summary>
    public static async Task AssertBlobPullsAsync(this HttpClient client, string repository, byte[] expected)
    {
        var digest = OciTestClient.DigestOf(expected);
        using var response = await client.GetAsync($"/v2/{repository}/blobs/{digest}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"blob {digest} answered {(int)response.StatusCode}");
        Assert.Equal(digest, OciTestClient.DigestOf(await response.Content.ReadAsByteArrayAsync()));
    }

    /// <summary>The status of GET /v2/&lt;repository&gt;/blobs/&lt;digest&gt;.</summary>
    public static async Task<HttpStatusCode> BlobStatusAsync(this HttpClient client, string repository, string digest)
    {
        using var response = await client.GetAsync($"/v2/{repository}/blobs/{digest}");
        return response.StatusCode;
    }
}
