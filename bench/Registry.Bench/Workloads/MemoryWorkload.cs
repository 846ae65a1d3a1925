namespace Registry.Bench.Workloads;

/// <summary>
/// Server memory under load: 8 concurrent streamed pushes of 1 GiB each while the server's RSS is
/// sampled. Needs the server PID (--pid NAME=PID); without it the workload reports nothing.
/// </summary>
public static class MemoryWorkload
{
    const int Pushes = 8;

    public static Workload Create(BenchOptions options)
    {
        var size = options.Smoke ? 16L * BlobData.MiB : 1024L * BlobData.MiB;
        var name = options.Smoke ? "rss-8x16m-push" : "rss-8x1g-push";
        return new(name, Figure.PeakRssMiB, async (target, ct) =>
        {
            if (target.Spec.Pid is not { } pid)
                return new Measurement(name, target.Spec.Name, Figure.PeakRssMiB, 0, 0, TimeSpan.Zero, double.NaN, double.NaN, 0, null,
                    double.NaN, "no --pid given");
            var saltBase = 900L << 32 ^ target.Spec.Name.GetHashCode();
            Measurement result;
            var sampler = new RssSampler(pid);
            await using (sampler)
            {
                result = await LoadLoop.RunAsync(name, target.Spec.Name, Figure.PeakRssMiB, Pushes, Budget.Ops(Pushes), async (i, c) =>
                {
                    using var body = new GeneratedContent(size, saltBase + i);
                    await target.Client.PushStreamedAsync($"{target.Prefix}/big", body, c);
                    return size;
                }, ct);
            }
            return result with { Value = sampler.PeakMiB, Note = $"{result.MiBPerSecond:F0} MiB/s aggregate while pushing" };
        });
    }
}
