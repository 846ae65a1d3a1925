using Registry.Oci;
using RuntimeAgent.Unpack;

namespace RuntimeAgent.Store;

/// <summary>Unpacked layers keyed by diff_id: each is unpacked once per host, under a per-layer flock.</summary>
public sealed class LayerStore(StoreLayout layout)
{
    /// <summary>Returns the unpacked layer directory, unpacking the blob first if no pull has yet.</summary>
    public async Task<string> EnsureAsync(string blobPath, Digest diffId, long maxBytes, CancellationToken ct)
    {
        var directory = layout.LayerPath(diffId);
        if (Directory.Exists(directory)) return directory;
        using var layerLock = await FileLock.AcquireAsync(layout.LayerLock(diffId), exclusive: true, ct);
        if (Directory.Exists(directory)) return directory;
        await Task.Run(() => LayerUnpacker.Unpack(blobPath, diffId, directory, maxBytes), ct);
        return directory;
    }
}
