using System.Globalization;

namespace Registry.Tests.Operations;

/// <summary>Reads one unlabelled sample from the registry's Prometheus endpoint.</summary>
public static class MetricSample
{
    /// <summary>The value of <paramref name="name"/>; fails naming the metric when /metrics does not have it.</summary>
    public static async Task<double> ReadAsync(HttpClient client, string name)
    {
        var metrics = await client.GetStringAsync("/metrics");
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"/metrics has no {name} sample:\n{metrics}");
        return double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }
}
