using Registry.Oci;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build.Push;

/// <summary>
/// Pushes an image from the store (one the builder made: its manifest is a blob there) to its registry, blobs
/// first (<see cref="BlobUploader"/>), mounting from another repository of the same registry that an image in the
/// store came from when it can, and the manifest last. What it does is shown through <c>progress</c> (a transfer per
/// blob, <see cref="Cli.ProgressDisplay.PushAsync"/>).
/// </summary>
public sealed class ImagePusher(StoreLayout layout, IPullProgress progress)
{
    public async Task<string> PushAsync(string reference, bool insecure, CancellationToken ct)
    {
        var target = ImageReference.Parse(reference);
        var record = new ImageRecords(layout).Find(target)
            ?? throw new ImageNotFoundException($"{target}: no such image in the store (build or pull it first)");
        var manifestPath = layout.BlobPath(Digest.Parse(record.ManifestDigest));
        if (!File.Exists(manifestPath))
            throw new ImageNotFoundException($"{target}: its manifest is not in the store; only images built here can be pushed");

        using var client = new RegistryClient(target.Registry, () => new CredentialStore(layout.AuthFile).Find(target.Registry), insecure);
        var uploader = new BlobUploader(client, layout, progress);
        var blobs = record.Layers.Select(l => l.Digest).Append(record.ConfigDigest).Distinct().Select(Digest.Parse);
        var mountSources = MountSources(target);
        await Task.WhenAll(blobs.Select(b => uploader.PushBlobAsync(target, b, mountSources.GetValueOrDefault(b.ToString()), ct)));

        await uploader.PutManifestAsync(target, target.Tag ?? record.ManifestDigest, await File.ReadAllBytesAsync(manifestPath, ct), ct);
        progress.Message($"{target}: pushed manifest {record.ManifestDigest}");
        return record.ManifestDigest;
    }

    /// <summary>For each blob, another repository of the same registry it came from (pulled or built images' records).</summary>
    private Dictionary<string, string> MountSources(ImageReference target)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in new ImageRecords(layout).List())
        {
            ImageReference source;
            try { source = ImageReference.Parse(record.Reference); }
            catch (FormatException) { continue; }
            if (source.Registry != target.Registry || source.Repository == target.Repository) continue;
            foreach (var digest in record.Layers.Select(l => l.Digest).Append(record.ConfigDigest))
                sources.TryAdd(digest, source.Repository);
        }
        return sources;
    }
}
