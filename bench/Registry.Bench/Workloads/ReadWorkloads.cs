using Registry.Oci;
namespace Registry.Bench.Workloads;

/// <summary>The hot read paths: manifest by tag, HEADs, and blob downloads of two sizes.</summary>
public static class ReadWorkloads
{
    const string Accept = MediaTypes.OciManifest;

    public static IEnumerable<Workload> All() =>
    [
        new("manifest-get", Figure.OpsPerSecond, async (target, ct) =>
        {
            var image = await target.AppImage;
            var path = $"v2/{target.Prefix}/app/manifests/latest";
            return await WorkloadCatalog.TimedAsync(target, "manifest-get", Figure.OpsPerSecond, 32, async (_, c) =>
                WorkloadCatalog.ExpectBytes(await target.Client.FetchAsync(HttpMethod.Get, path, Accept, c),
                    image.Manifest.Length, path), ct);
        }),
        new("manifest-head", Figure.OpsPerSecond, async (target, ct) =>
        {
            await target.AppImage;
            var path = $"v2/{target.Prefix}/app/manifests/latest";
            return await WorkloadCatalog.TimedAsync(target, "manifest-head", Figure.OpsPerSecond, 32, (_, c) =>
                target.Client.FetchAsync(HttpMethod.Head, path, Accept, c), ct);
        }),
        new("blob-head", Figure.OpsPerSecond, async (target, ct) =>
        {
            var digest = await target.Blob(BlobData.MiB);
            var path = $"v2/{target.Prefix}/blobs/blobs/{digest}";
            return await WorkloadCatalog.TimedAsync(target, "blob-head", Figure.OpsPerSecond, 32, (_, c) =>
                target.Client.FetchAsync(HttpMethod.Head, path, null, c), ct);
        }),
        BlobGet("blob-get-64m", 64 * BlobData.MiB, 8),
        BlobGet("blob-get-1m", BlobData.MiB, 16),
    ];

    static Workload BlobGet(string name, int size, int concurrency) => new(name, Figure.MiBPerSecond, async (target, ct) =>
    {
        var digest = await target.Blob(size);
        var path = $"v2/{target.Prefix}/blobs/blobs/{digest}";
        return await WorkloadCatalog.TimedAsync(target, name, Figure.MiBPerSecond, concurrency, async (_, c) =>
            WorkloadCatalog.ExpectBytes(await target.Client.FetchAsync(HttpMethod.Get, path, null, c), size, path), ct);
    });
}
