using Prometheus;
using Registry.Storage.Events;

namespace Registry.Api.Events.Delivery;

/// <summary>
/// Prometheus metrics of webhook delivery on this replica: attempts by outcome, how long receivers take to answer,
/// and how many deliveries were still pending at the last claim pass (the backlog an alert should watch).
/// </summary>
public static class DeliveryMetrics
{
    private static readonly Counter Attempts = Metrics.CreateCounter("registry_webhook_delivery_attempts_total",
        "Webhook delivery attempts by outcome: delivered, retry (failed, will be tried again) or failed (given up)",
        new CounterConfiguration { LabelNames = ["outcome"] });

    private static readonly Histogram Duration = Metrics.CreateHistogram("registry_webhook_delivery_duration_seconds",
        "Time from sending a webhook request to its answer (or timeout)",
        new HistogramConfiguration { Buckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    private static readonly Gauge Pending = Metrics.CreateGauge("registry_webhook_deliveries_pending",
        "Deliveries waiting to be sent or retried, as counted by this replica's last delivery pass");

    public static void RecordAttempt(DeliveryState state, TimeSpan elapsed)
    {
        Attempts.WithLabels(state switch { DeliveryState.Delivered => "delivered", DeliveryState.Failed => "failed", _ => "retry" }).Inc();
        Duration.Observe(elapsed.TotalSeconds);
    }

    public static void SetPending(int count) => Pending.Set(count);
}
