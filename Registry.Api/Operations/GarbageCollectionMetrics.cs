using Prometheus;
using Registry.Storage.GarbageCollection;

namespace Registry.Api.Operations;

/// <summary>Prometheus counters of garbage collection, fed by every run (scheduled or on demand) that deleted for real.</summary>
public static class GarbageCollectionMetrics
{
    private static readonly Counter Runs = Metrics.CreateCounter("registry_gc_runs_total", "Garbage collections completed (dry runs excluded)");
    private static readonly Counter BytesFreed = Metrics.CreateCounter("registry_gc_bytes_freed_total", "Blob and staged upload bytes removed by garbage collection");
    private static readonly Counter BlobsDeleted = Metrics.CreateCounter("registry_gc_blobs_deleted_total", "Blobs deleted by garbage collection");
    private static readonly Counter UploadsPurged = Metrics.CreateCounter("registry_gc_uploads_purged_total", "Idle upload sessions purged by garbage collection");

    /// <summary>The last collection this process ran for real (the UI's GC status); null before the first.</summary>
    public static GarbageCollectionReport? LastRun { get; private set; }

    /// <summary>Counts <paramref name="report"/> unless it is a dry run.</summary>
    public static void Record(GarbageCollectionReport report)
    {
        if (report.DryRun) return;
        LastRun = report;
        Runs.Inc();
        BytesFreed.Inc(report.BytesFreed);
        BlobsDeleted.Inc(report.Blobs.Count);
        UploadsPurged.Inc(report.Uploads.Count);
    }
}
