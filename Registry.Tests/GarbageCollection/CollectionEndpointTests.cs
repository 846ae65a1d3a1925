using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.GarbageCollection;

[Trait("Category", "Integration")]
public sealed class CollectionEndpointTests
{
    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task AdministratorsRunCollectionOnDemandAndOthersMayNot(TestDatabase database)
    {
        await using var auth = await AuthTestServer.StartAsync(database, new Dictionary<string, string?> { ["Registry:Gc:GracePeriod"] = "00:00:00" });
        using (var create = await auth.Admin.PostAsJsonAsync("/api/v1/users", new { name = "dev", password = AuthTestServer.PasswordOf("dev") }))
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var repository = "admin/" + Guid.NewGuid().ToString("N");
        var image = await GcImages.PushAsync(auth.Admin, repository, "1", OciTestClient.RandomBytes(3_000));
        using (var delete = await auth.Admin.DeleteAsync($"/v2/{repository}/manifests/{image.Digest}"))
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);

        using var anonymous = auth.Anonymous();
        using (var response = await anonymous.PostAsync("/api/v1/gc?dryRun=true", null))
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var developer = auth.Basic("dev", AuthTestServer.PasswordOf("dev"));
        using (var response = await developer.PostAsync("/api/v1/gc", null))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        using var dryRun = await auth.Admin.PostAsync("/api/v1/gc?dryRun=true", null);
        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        var dryReport = JsonDocument.Parse(await dryRun.Content.ReadAsStringAsync()).RootElement;
        Assert.True(dryReport.GetProperty("dryRun").GetBoolean());
        Assert.Equal(image.Blobs.Sum(b => (long)b.Length), dryReport.GetProperty("bytesFreed").GetInt64());
        await image.AssertBlobsPullAsync(auth.Admin);

        using var run = await auth.Admin.PostAsync("/api/v1/gc", null);
        var report = JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement;
        Assert.False(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal(image.Blobs.Select(OciTestClient.DigestOf).Order(), report.GetProperty("blobs").EnumerateArray().Select(e => e.GetString()!).Order());

        var metrics = await anonymous.GetStringAsync("/metrics");
        Assert.Contains("registry_gc_runs_total", metrics);
        Assert.Contains("registry_gc_bytes_freed_total", metrics);
        Assert.Contains("registry_gc_blobs_deleted_total", metrics);
    }
}
