using System.Globalization;
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

    private static async Task<double> DedupHitsAsync(HttpClient client)
    {
        var metrics = await client.GetStringAsync("/metrics");
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith("registry_dedup_hits_total "));
        Assert.True(line is not null, "/metrics has no registry_dedup_hits_total sample:\n" + metrics);
        return double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }
}
