using System.Diagnostics;

namespace Registry.Bench;

/// <summary>
/// How long a loop runs: a number of operations, a duration, or both (whichever ends first). The duration
/// stops new operations from starting; those in flight finish and count (the elapsed time includes them).
/// </summary>
public readonly record struct Budget(long? Count, TimeSpan? Duration)
{
    public static Budget Ops(long count) => new(count, null);
    public static Budget For(TimeSpan duration) => new(null, duration);
    public static Budget OpsWithin(long count, TimeSpan duration) => new(count, duration);
}

/// <summary>
/// Runs one operation from N concurrent workers until the budget is spent, timing every call.
/// Errors are counted (the run then fails) and stop the loop once they pass a small limit.
/// </summary>
public static class LoadLoop
{
    const int ErrorLimit = 20;

    /// <summary>
    /// <paramref name="operation"/> receives the operation's sequence number and returns the payload bytes moved.
    /// </summary>
    public static async Task<Measurement> RunAsync(string workload, string target, Figure figure, int concurrency,
        Budget budget, Func<long, CancellationToken, Task<long>> operation, CancellationToken ct = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        long next = -1, bytes = 0, errors = 0;
        string? firstError = null;
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        if (budget.Duration is { } duration) stop.CancelAfter(duration);

        async Task Worker(int worker)
        {
            var mine = latencies[worker] = new List<double>(1024);
            // At least one operation per worker: on a starved machine the duration can pass before a worker starts.
            do
            {
                var sequence = Interlocked.Increment(ref next);
                if (budget.Count is { } count && sequence >= count) break;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    Interlocked.Add(ref bytes, await operation(sequence, ct));
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception error)
                {
                    Interlocked.CompareExchange(ref firstError, error.Message, null);
                    if (Interlocked.Increment(ref errors) >= ErrorLimit) stop.Cancel();
                }
            } while (!stop.IsCancellationRequested);
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => Worker(w))));
        var elapsed = clock.Elapsed;
        var all = latencies.Where(l => l is not null).SelectMany(l => l).Order().ToArray();
        if (all.Length == 0 && errors == 0) (errors, firstError) = (1, "no operation completed");
        return new Measurement(workload, target, figure, all.Length, bytes, elapsed,
            Percentile(all, 0.50), Percentile(all, 0.99), errors, firstError);
    }

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
