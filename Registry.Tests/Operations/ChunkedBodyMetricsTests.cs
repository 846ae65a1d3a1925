using System.Net;
using System.Net.Http.Headers;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Operations;

/// <summary>Prometheus counters are process-wide: this collection runs alone so the counter's change is ours.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExclusiveMetricsCollection
{
    public const string Name = "exclusive metrics";
}

[Collection(ExclusiveMetricsCollection.Name)]
public sealed class ChunkedBodyMetricsTests
{
    [Fact]
    public async Task BytesOfAChunkedUploadBodyAreCountedAsReceived()
    {
        await using var server = await RegistryServer.StartAsync();
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("metrics/chunked");
        using var start = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        var location = start.Headers.Location!.ToString();
        var body = OciTestClient.RandomBytes(123_457);
        var before = await ReceivedBytesAsync(client);

        // A StreamContent of unknown length goes out with Transfer-Encoding: chunked and no Content-Length.
        using var content = new StreamContent(new NoLengthStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using (var patch = await client.SendAsync(request)) Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);

        Assert.Equal(before + body.Length, await ReceivedBytesAsync(client));
    }

    private static Task<double> ReceivedBytesAsync(HttpClient client) => MetricSample.ReadAsync(client, "registry_http_received_bytes_total");

    /// <summary>A readable stream that will not tell its length.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
