using System.Diagnostics.Metrics;

namespace Registry.Storage;

/// <summary>
/// The storage layer's own measurements, as <see cref="System.Diagnostics.Metrics"/> instruments so this
/// project needs no exporter; Registry.Api's StorageMetricsExporter publishes them on <c>/metrics</c>.
/// </summary>
public static class StorageMetrics
{
    public const string MeterName = "Registry.Storage";

    /// <summary>The name of <see cref="DedupHits"/>, for listeners (they see instruments while this class initializes).</summary>
    public const string DedupHitsName = "registry_dedup_hits";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Uploads whose content the store already had (one copy kept, the staged one dropped).</summary>
    public static readonly Counter<long> DedupHits =
        Meter.CreateCounter<long>(DedupHitsName, description: "Blob uploads whose content was already stored");
}
