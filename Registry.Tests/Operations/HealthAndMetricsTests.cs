using System.Net;
using System.Net.Sockets;
using Registry.Api;
using Registry.Storage.Blobs;
using Registry.Storage.Blobs.S3;
using Registry.Tests.BlobStores;
using Registry.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Registry.Tests.Operations;

[Trait("Category", "Integration")]
public sealed class HealthAndMetricsTests
{
    private static Dictionary<string, string?> S3Settings(string endpoint, string bucket) => new()
    {
        ["Registry:Storage:Driver"] = "s3",
        ["Registry:Storage:S3:Endpoint"] = endpoint,
        ["Registry:Storage:S3:AccessKey"] = TestServices.S3AccessKey,
        ["Registry:Storage:S3:SecretKey"] = TestServices.S3SecretKey,
        ["Registry:Storage:S3:Bucket"] = bucket,
    };

    [Fact]
    public async Task S3DriverCreatesItsBucketAtStartAndIsReady()
    {
        var bucket = TestServices.UniqueBucketName();
        await using var host = await RegistryServer.StartAsync(settings: S3Settings(TestServices.S3Endpoint, bucket));
        Assert.IsType<S3BlobStore>(host.Services.GetRequiredService<IBlobStore>());
        var ready = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = await ready.Content.ReadAsStringAsync();
        Assert.Contains("\"database\":{\"status\":\"healthy\"", checks);
        Assert.Contains("\"blob-store\":{\"status\":\"healthy\"", checks);
        // The bucket exists now: a second store on it passes its health check without creating anything.
        using var check = new S3BlobStore(ObjectStores.S3Options(bucket));
        await check.CheckHealthAsync(default);
    }

    [Fact]
    public async Task AzureDriverCreatesItsContainerAtStartAndIsReady()
    {
        var container = TestServices.UniqueBucketName();
        await using var host = await RegistryServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Registry:Storage:Driver"] = "azure",
            ["Registry:Storage:Azure:ConnectionString"] = TestServices.AzureConnection,
            ["Registry:Storage:Azure:Container"] = container,
        });
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/readyz")).StatusCode);
        await new Registry.Storage.Blobs.Azure.AzureBlobStore(ObjectStores.AzureOptions(container)).CheckHealthAsync(default);
    }

    [Fact]
    public async Task UnreachableStoreMakesTheReplicaUnreadyButAlive()
    {
        await using var host = await RegistryServer.StartAsync(settings: S3Settings($"127.0.0.1:{ClosedPort()}", TestServices.UniqueBucketName()));
        var ready = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("unreachable", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task MetricsCountRequestsByRouteAndStatusAndCarryTheRequestId()
    {
        await using var host = await RegistryServer.StartAsync();
        var probe = await host.Client.GetAsync("/v2/");
        Assert.False(string.IsNullOrEmpty(probe.Headers.GetValues("X-Request-Id").Single()));
        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("http_requests_received_total{code=\"200\",method=\"GET\",controller=\"\",action=\"\",endpoint=\"/v2/\"}", metrics);
        Assert.Contains("registry_uploads_in_flight", metrics);
        Assert.Contains("registry_http_sent_bytes_total", metrics);
    }

    [Theory]
    [InlineData("ftp", "Registry__Storage__Driver")]
    [InlineData("s3", "Registry__Storage__S3__Endpoint")]
    [InlineData("azure", "Registry__Storage__Azure__ConnectionString")]
    public void BadStorageSettingsStopTheStartWithWhatToSet(string driver, string expectedHint)
    {
        var error = Assert.Throws<OptionsValidationException>(() => RegistryApp.Create([], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Registry:Storage:Driver"] = driver })));
        Assert.Contains(expectedHint, error.Message);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
