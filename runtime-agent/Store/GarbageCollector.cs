using Registry.Oci;

namespace RuntimeAgent.Store;

public sealed record GcResult(int BlobsRemoved, long BlobBytesRemoved, int LayersRemoved, int PartialsRemoved, int UnfinishedContainersRemoved);

/// <summary>
/// Deletes blobs and unpacked layers that no image record uses, plus leftovers of interrupted pulls and of runs that
/// never finished (ContainerStore.RemoveUnrecorded). It holds the
/// store lock exclusively, so it waits for running pulls and containers and none start while it sweeps.
/// </summary>
public sealed class GarbageCollector(StoreLayout layout)
{
    public async Task<GcResult> CollectAsync(Action<string> onWait, CancellationToken ct)
    {
        layout.EnsureCreated();
        using var storeLock = await FileLock.AcquireAsync(layout.StoreLock, exclusive: true, ct,
            () => onWait("waiting for running pulls and containers to finish"));

        var images = new ImageRecords(layout).List();
        var liveBlobs = images.SelectMany(i => i.Layers.Select(l => l.Digest).Append(i.ConfigDigest))
            .Select(Digest.Parse).Select(d => d.Hex).ToHashSet();
        var liveLayers = images.SelectMany(i => i.Layers).Select(l => Digest.Parse(l.DiffId).Hex).ToHashSet();

        int blobs = 0, layers = 0, partials = 0;
        long bytes = 0;
        foreach (var blob in Directory.EnumerateFiles(layout.BlobsDirectory))
        {
            if (liveBlobs.Contains(Path.GetFileName(blob))) continue;
            bytes += new FileInfo(blob).Length;
            File.Delete(blob);
            blobs++;
        }
        foreach (var layer in Directory.EnumerateDirectories(layout.LayersDirectory))
        {
            var name = Path.GetFileName(layer);
            if (liveLayers.Contains(name)) continue;
            // Rename first so a half-deleted layer never looks like a complete one.
            var doomed = Path.Combine(layout.LayersDirectory, $"{StoreLayout.TempPrefix}gc-{name}");
            if (!name.StartsWith(StoreLayout.TempPrefix, StringComparison.Ordinal)) Directory.Move(layer, doomed);
            else doomed = layer;
            Directory.Delete(doomed, recursive: true);
            layers++;
        }
        foreach (var partial in Directory.EnumerateFiles(layout.PartialDirectory))
        {
            File.Delete(partial);
            partials++;
        }
        foreach (var lockFile in Directory.EnumerateFiles(layout.LocksDirectory, "*-*.lock")) File.Delete(lockFile);
        var containers = new Containers.ContainerStore(layout).RemoveUnrecorded();
        return new GcResult(blobs, bytes, layers, partials, containers);
    }
}
