using Registry.Tests.Infrastructure;

namespace Registry.Tests.Operations;

[Collection(ExclusiveMetricsCollection.Name)]
public sealed class DedupMetricsTests
{
    [Fact]
    public async Task PushingContentAlreadyStoredCountsOneDedupHitOnMetrics()
    {
        await using var server = await RegistryServer.StartAsync();
        var client = server.Client;
        var content = OciTestClient.RandomBytes(4_321);
        await client.PushBlobAsync(OciTestClient.UniqueRepository("metrics/dedup-a"), content);
        var before = await DedupHitsAsync(client);

        // The same bytes to another repository: the store already has them, so only the link is new.
        await client.PushBlobAsync(OciTestClient.UniqueRepository("metrics/dedup-b"), content);

        Assert.Equal(before + 1, await DedupHitsAsync(client));
    }

    private static Task<double> DedupHitsAsync(HttpClient client) => MetricSample.ReadAsync(client, "registry_dedup_hits_total");
}
