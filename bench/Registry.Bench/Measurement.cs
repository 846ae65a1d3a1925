namespace Registry.Bench;

/// <summary>Which figure a workload is judged by, and whether more of it is better.</summary>
public enum Figure { OpsPerSecond, MiBPerSecond, Milliseconds, PeakRssMiB }

/// <summary>What one workload measured against one target.</summary>
public sealed record Measurement(
    string Workload,
    string Target,
    Figure Figure,
    long Operations,
    long Bytes,
    TimeSpan Elapsed,
    double P50Ms,
    double P99Ms,
    long Errors,
    string? FirstError,
    double? Value = null,
    string? Note = null)
{
    public double OpsPerSecond => Operations / Math.Max(Elapsed.TotalSeconds, 1e-9);
    public double MiBPerSecond => Bytes / (double)BlobData.MiB / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>The figure the table shows: throughput, or an explicit value (page time, peak RSS).</summary>
    public double Primary => Value ?? Figure switch
    {
        Figure.OpsPerSecond => OpsPerSecond,
        Figure.MiBPerSecond => MiBPerSecond,
        Figure.Milliseconds => P50Ms,
        _ => double.NaN,
    };

    public static bool HigherIsBetter(Figure figure) => figure is Figure.OpsPerSecond or Figure.MiBPerSecond;

    public static string Unit(Figure figure) => figure switch
    {
        Figure.OpsPerSecond => "ops/s",
        Figure.MiBPerSecond => "MiB/s",
        Figure.Milliseconds => "ms (p50)",
        _ => "MiB peak RSS",
    };

    public static Measurement Failed(string workload, string target, Figure figure, Exception error) =>
        new(workload, target, figure, 0, 0, TimeSpan.Zero, double.NaN, double.NaN, 1, error.Message);
}
