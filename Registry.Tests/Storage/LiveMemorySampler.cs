namespace Registry.Tests.BlobStores;

/// <summary>
/// Samples live managed memory (after a full collection, so garbage does not count) every 100 ms
/// and keeps the largest growth over the starting level.
/// </summary>
public sealed class LiveMemorySampler : IDisposable
{
    private readonly long baseline = GC.GetTotalMemory(forceFullCollection: true);
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private long peak;

    public LiveMemorySampler()
    {
        thread = new Thread(Sample) { IsBackground = true, Name = "live-memory-sampler" };
        thread.Start();
    }

    public long PeakGrowth => Math.Max(0, Interlocked.Read(ref peak) - baseline);

    private void Sample()
    {
        while (!stop.IsCancellationRequested)
        {
            var live = GC.GetTotalMemory(forceFullCollection: true);
            if (live > Interlocked.Read(ref peak)) Interlocked.Exchange(ref peak, live);
            stop.Token.WaitHandle.WaitOne(100);
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        thread.Join();
        stop.Dispose();
    }
}
