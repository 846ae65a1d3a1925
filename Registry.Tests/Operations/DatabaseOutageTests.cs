using System.Net;
using Registry.Tests.GarbageCollection;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Operations;

/// <summary>PostgreSQL stopped under a running registry: 503 UNAVAILABLE and /readyz failing; started again: service resumes, no restart.</summary>
[Trait("Category", "Integration")]
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task RequestsAnswer503WhileThePostgresServerIsDownAndSucceedOnceItIsBack()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        await using var server = await RegistryServer.StartAsync(TestDatabase.Sqlite, new Dictionary<string, string?>
        {
            ["Registry:Database:Provider"] = "postgres",
            ["Registry:Database:ConnectionString"] = postgres.ConnectionString,
            ["Registry:ManifestCacheSeconds"] = "0",
            ["Registry:BlobCacheSeconds"] = "0",
        });
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("outage/app");
        var before = await GcImages.PushAsync(client, repository, "before", OciTestClient.RandomBytes(5_000));

        await postgres.StopServerAsync();

        using (var manifest = await client.GetAsync($"/v2/{repository}/manifests/before"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, manifest.StatusCode);
            Assert.Equal("UNAVAILABLE", await manifest.ErrorCodeAsync());
        }
        using (var blob = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{before.ConfigDigest}")))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, blob.StatusCode);
        using (var upload = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
            Assert.Equal("UNAVAILABLE", await upload.ErrorCodeAsync());
        }
        using (var ready = await client.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var alive = await client.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.OK, alive.StatusCode);

        await postgres.StartServerAsync();

        // Pooled connections to the old server die on first use (one more 503 each at most); then service resumes.
        var status = HttpStatusCode.ServiceUnavailable;
        for (var attempt = 0; attempt < 50 && status != HttpStatusCode.OK; attempt++)
        {
            using var response = await client.GetAsync("/readyz");
            status = response.StatusCode;
            if (status != HttpStatusCode.OK) await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.OK, status);
        var after = await PushWithRetriesAsync(client, repository);
        await before.AssertPullsAsync(client);
        await after.AssertPullsAsync(client);
    }

    /// <summary>Retries a push that meets a connection the outage broke (503), as a client would.</summary>
    private static async Task<PushedImage> PushWithRetriesAsync(HttpClient client, string repository)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await GcImages.PushAsync(client, repository, "after", OciTestClient.RandomBytes(6_000));
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 10)
            {
                await Task.Delay(200);
            }
        }
    }
}
