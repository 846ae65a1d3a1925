using System.Diagnostics.Metrics;
using Prometheus;
using Registry.Storage;

namespace Registry.Api.Operations;

/// <summary>
/// Publishes the storage layer's <see cref="StorageMetrics"/> (System.Diagnostics.Metrics, so Storage needs no
/// exporter) as prometheus-net counters on /metrics. prometheus-net's own meter adapter did not export them,
/// and an explicit counter is also present at 0 before the first measurement, so rates start from a baseline.
/// </summary>
public static class StorageMetricsExporter
{
    private static readonly Counter DedupHits = Metrics.CreateCounter("registry_dedup_hits_total", "Blob uploads whose content the store already had (one copy kept)");

    private static readonly MeterListener Listener = CreateListener();

    /// <summary>Starts forwarding (idempotent: the listener is process-wide, like the metrics it feeds).</summary>
    public static void Start() => _ = Listener;

    private static MeterListener CreateListener()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // Matched by name: this runs while StorageMetrics initializes, before its fields are assigned.
                if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Name == StorageMetrics.DedupHitsName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => DedupHits.Inc(value));
        listener.Start();
        return listener;
    }
}
