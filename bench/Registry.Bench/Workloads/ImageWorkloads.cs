using Registry.Oci;
namespace Registry.Bench.Workloads;

/// <summary>Whole-image transfers of a 5-layer image (1+2+4+8+16 MiB), as a client pulls and pushes them.</summary>
public static class ImageWorkloads
{
    static readonly int[] LayerSizes = [1 * BlobData.MiB, 2 * BlobData.MiB, 4 * BlobData.MiB, 8 * BlobData.MiB, 16 * BlobData.MiB];

    public static IEnumerable<Workload> All(BenchOptions options)
    {
        var pushes = options.Smoke ? 1 : 8;
        var warmUpPushes = options.Smoke ? 0 : 1; // unmeasured, as in PushWorkloads
        return
        [
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
