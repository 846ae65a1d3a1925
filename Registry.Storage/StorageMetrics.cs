using System.Diagnostics.Metrics;
using Registry.Storage.GarbageCollection;

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

    /// <summary>Garbage collections that ran to the end (dry runs excluded).</summary>
    public static readonly Counter<long> GcRuns =
        Meter.CreateCounter<long>("registry_gc_runs", description: "Garbage collections completed");

    /// <summary>Blob and staged upload bytes that garbage collection removed from the store.</summary>
    public static readonly Counter<long> GcBytesFreed =
        Meter.CreateCounter<long>("registry_gc_bytes_freed", unit: "bytes", description: "Bytes freed by garbage collection");

    /// <summary>Blobs that garbage collection deleted.</summary>
    public static readonly Counter<long> GcBlobsDeleted =
        Meter.CreateCounter<long>("registry_gc_blobs_deleted", description: "Blobs deleted by garbage collection");

    /// <summary>Counts one completed collection.</summary>
    public static void RecordCollection(GarbageCollectionReport report)
    {
        GcRuns.Add(1);
        GcBytesFreed.Add(report.BytesFreed);
        GcBlobsDeleted.Add(report.Blobs.Count);
    }
}
