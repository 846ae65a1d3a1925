namespace Registry.Bench.Workloads;

/// <summary>A named, bounded measurement that can run against any target.</summary>
public sealed record Workload(string Name, Figure Figure, Func<BenchTarget, CancellationToken, Task<Measurement>> Run);

/// <summary>Every workload, in the order the run executes them (cheap reads first, heavy seeding last).</summary>
public static class WorkloadCatalog
{
    public static IReadOnlyList<Workload> All(BenchOptions options) =>
    [
        .. ReadWorkloads.All(),
        .. PushWorkloads.All(options),
        .. ImageWorkloads.All(options),
        .. ListingWorkloads.All(options),
        MemoryWorkload.Create(options),
        .. PagingWorkloads.All(options),
    ];

    /// <summary>A duration-bound loop after an unmeasured warm-up (JIT, connection pools, page cache).</summary>
    public static async Task<Measurement> TimedAsync(BenchTarget target, string name, Figure figure, int concurrency,
        Func<long, CancellationToken, Task<long>> operation, CancellationToken ct)
    {
        var warmUp = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, target.Options.Duration.Ticks / 3));
        var warm = await LoadLoop.RunAsync(name, target.Spec.Name, figure, concurrency, Budget.For(warmUp), operation, ct);
        if (warm.Errors > 0) return warm;
        return await LoadLoop.RunAsync(name, target.Spec.Name, figure, concurrency, Budget.For(target.Options.Duration), operation, ct);
    }

    /// <summary>
    /// <paramref name="count"/> measured operations after <paramref name="warmUp"/> unmeasured ones of the same kind:
    /// operation indices 0..warmUp-1 warm up, warmUp..warmUp+count-1 are measured, so each index is used once.
    /// </summary>
    public static async Task<Measurement> CountedAsync(BenchTarget target, string name, Figure figure, int concurrency,
        int warmUp, int count, Func<long, CancellationToken, Task<long>> operation, CancellationToken ct)
    {
        if (warmUp > 0)
        {
            var warm = await LoadLoop.RunAsync(name, target.Spec.Name, figure, concurrency, Budget.Ops(warmUp), operation, ct);
            if (warm.Errors > 0) return warm;
        }
        return await LoadLoop.RunAsync(name, target.Spec.Name, figure, concurrency, Budget.Ops(count), (i, c) => operation(warmUp + i, c), ct);
    }

    /// <summary>Checks a read returned the expected number of bytes, so a short or empty body is an error.</summary>
    public static long ExpectBytes(long actual, long expected, string what) =>
        actual == expected ? actual : throw new BenchException($"{what}: read {actual} bytes, expected {expected}");
}
