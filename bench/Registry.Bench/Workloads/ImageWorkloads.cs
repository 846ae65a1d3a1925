using Registry.Oci;
namespace Registry.Bench.Workloads;

/// <summary>Whole-image transfers, as a client pulls and pushes them: a 5-layer image (1+2+4+8+16 MiB), and many small images.</summary>
public static class ImageWorkloads
{
    static readonly int[] LayerSizes = [1 * BlobData.MiB, 2 * BlobData.MiB, 4 * BlobData.MiB, 8 * BlobData.MiB, 16 * BlobData.MiB];

    public static IEnumerable<Workload> All(BenchOptions options)
    {
        var pushes = options.Smoke ? 1 : 8;
        var warmUpPushes = options.Smoke ? 0 : 1; // unmeasured, as in PushWorkloads
        var smallImages = options.Smoke ? 50 : 1000;
        var smallWarmUp = options.Smoke ? 0 : 250;
        return
        [
            // Whole small images (a 4 KiB layer, config, manifest under a tag), 16 at a time: each is a manifest push,
            // so each is an event for the event log and its webhooks (bench/webhooks.sh).
            new("image-push-small-x1000", Figure.OpsPerSecond, async (target, ct) =>
            {
                var images = Enumerable.Range(0, smallWarmUp + smallImages)
                    .Select(i => new TestImage([4096], salt: 900_000 + i + ((long)target.Spec.Name.GetHashCode() << 20))).ToArray();
                var repo = $"{target.Prefix}/small-images";
                async Task<long> Push(long i, CancellationToken c)
                {
                    await images[i].PushAsync(target.Client, repo, $"t{i}", c);
                    return 1;
                }
                return await WorkloadCatalog.CountedAsync(target, "image-push-small-x1000", Figure.OpsPerSecond, 16, smallWarmUp, smallImages, Push, ct);
            }),
            new("image-pull-5layer", Figure.MiBPerSecond, async (target, ct) =>
            {
                var image = new TestImage(LayerSizes, salt: 500);
                var repo = $"{target.Prefix}/image";
                await image.PushAsync(target.Client, repo, "pull");
                return await WorkloadCatalog.TimedAsync(target, "image-pull-5layer", Figure.MiBPerSecond, 1,
                    (_, c) => PullAsync(target.Client, repo, "pull", image, c), ct);
            }),
            new("image-push-5layer", Figure.MiBPerSecond, async (target, ct) =>
            {
                var images = Enumerable.Range(0, warmUpPushes + pushes)
                    .Select(i => new TestImage(LayerSizes, salt: 600 + i + ((long)target.Spec.Name.GetHashCode() << 16))).ToArray();
                var repo = $"{target.Prefix}/image";
                async Task<long> Push(long i, CancellationToken c)
                {
                    await images[i].PushAsync(target.Client, repo, $"push{i}", c);
                    return images[i].TotalBytes;
                }
                return await WorkloadCatalog.CountedAsync(target, "image-push-5layer", Figure.MiBPerSecond, 1, warmUpPushes, pushes, Push, ct);
            }),
        ];
    }

    /// <summary>Manifest by tag, then the config and every layer in parallel, each checked for size.</summary>
    static async Task<long> PullAsync(RegistryClient client, string repo, string tag, TestImage image, CancellationToken ct)
    {
        WorkloadCatalog.ExpectBytes(await client.FetchAsync(HttpMethod.Get, $"v2/{repo}/manifests/{tag}", MediaTypes.OciManifest, ct),
            image.Manifest.Length, "manifest");
        var blobs = image.Layers.Select(l => (l.Digest, (long)l.Data.Length)).Append((image.ConfigDigest, image.Config.Length));
        var sizes = await Task.WhenAll(blobs.Select(async blob =>
            WorkloadCatalog.ExpectBytes(await client.FetchAsync(HttpMethod.Get, $"v2/{repo}/blobs/{blob.Item1}", null, ct),
                blob.Item2, blob.Item1)));
        return sizes.Sum() + image.Manifest.Length;
    }
}
