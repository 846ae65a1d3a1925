namespace Registry.Bench.Workloads;

/// <summary>Uploads: one large monolithic blob, one large blob in chunks, many small blobs in parallel.</summary>
public static class PushWorkloads
{
    public static IEnumerable<Workload> All(BenchOptions options)
    {
        var bigPushes = options.Smoke ? 1 : 6;
        var smallPushes = options.Smoke ? 50 : 1000;
        // Unmeasured pushes first, as the read loops warm up before their clock starts: without them the
        // figure is mostly the first seconds of a JIT-compiled server's upload path (distribution needs none).
        var smallWarmUp = options.Smoke ? 0 : 250;
        var bigWarmUp = options.Smoke ? 0 : 1;
        return
        [
            new("push-100m", Figure.MiBPerSecond, (target, ct) =>
                LargePushes(target, "push-100m", bigPushes, bigWarmUp, salt: 100, (data, digest, c) =>
                    target.Client.PushMonolithicAsync($"{target.Prefix}/push100m", data, digest, c), ct)),
            new("push-10x10m-chunked", Figure.MiBPerSecond, (target, ct) =>
                LargePushes(target, "push-10x10m-chunked", bigPushes, bigWarmUp, salt: 200, (data, digest, c) =>
                    target.Client.PushChunkedAsync($"{target.Prefix}/chunked", data, 10 * BlobData.MiB, digest, c), ct)),
            new("push-4k-x1000", Figure.OpsPerSecond, async (target, ct) =>
            {
                // Prepared before the clock starts: content and digests are the client's work, not the server's.
                var blobs = Enumerable.Range(0, smallWarmUp + smallPushes).Select(i =>
                {
                    var data = BlobData.Create(4096, salt: (long)target.Spec.Name.GetHashCode() << 20 | (uint)i);
                    return (data, BlobData.Digest(data));
                }).ToArray();
                async Task<long> Push(long i, CancellationToken c)
                {
                    await target.Client.PushMonolithicAsync($"{target.Prefix}/small", blobs[i].data, blobs[i].Item2, c);
                    return 4096;
                }
                return await WorkloadCatalog.CountedAsync(target, "push-4k-x1000", Figure.OpsPerSecond, 16, smallWarmUp, smallPushes, Push, ct);
            }),
        ];
    }

    /// <summary>Sequential pushes of distinct 100 MiB blobs (one buffer, re-stamped per push, digests precomputed).</summary>
    static async Task<Measurement> LargePushes(BenchTarget target, string name, int count, int warmUp, long salt,
        Func<byte[], string, CancellationToken, Task> push, CancellationToken ct)
    {
        const int size = 100 * BlobData.MiB;
        var buffer = new byte[size];
        var saltBase = salt << 32 ^ target.Spec.Name.GetHashCode();
        var digests = new string[warmUp + count];
        BlobData.Fill(buffer, saltBase, 0);
        for (var i = 0; i < digests.Length; i++)
        {
            BlobData.Stamp(buffer, saltBase + i, 0);
            digests[i] = BlobData.Digest(buffer);
        }
        async Task<long> Push(long i, CancellationToken c)
        {
            BlobData.Stamp(buffer, saltBase + i, 0);
            await push(buffer, digests[i], c);
            return size;
        }
        return await WorkloadCatalog.CountedAsync(target, name, Figure.MiBPerSecond, 1, warmUp, count, Push, ct);
    }
}
