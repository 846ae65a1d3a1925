using System.Diagnostics.Metrics;

namespace Registry.Storage;

/// <summary>
/// The storage layer's own measurements, as <see cref="System.Diagnostics.Metrics"/> instruments so this
/// project needs no exporter; the API publishes them on <c>/metrics</c> (prometheus-net reads every meter).
/// </summary>
public static class StorageMetrics
{
    public const string MeterName = "Registry.Storage";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Uploads whose content the store already had (one copy kept, the staged one dropped).</summary>
    public static readonly Counter<long> DedupHits =
        Meter.CreateCounter<long>("registry_dedup_hits", description: "Blob uploads whose content was already stored");
}
