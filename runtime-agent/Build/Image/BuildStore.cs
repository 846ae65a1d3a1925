using Registry.Oci;
using RuntimeAgent.Build.Context;
using RuntimeAgent.Build.Layers;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build.Image;

/// <summary>
/// The builder's view of the agent's store: it publishes blobs and unpacked layers where pull would have
/// put them (so `run` and `push` see built images like pulled ones), and keeps the step cache in
/// <c>build/cache</c> and scratch space in <c>build/tmp</c> under --root (same filesystem, so moves are renames).
/// </summary>
public sealed class BuildStore(StoreLayout layout)
{
    public StoreLayout Layout => layout;
    public string TempDirectory => Path.Combine(layout.Root, "build", "tmp");
    private string CacheDirectory => Path.Combine(layout.Root, "build", "cache");

    public void EnsureCreated()
    {
        layout.EnsureCreated();
        Directory.CreateDirectory(TempDirectory);
        Directory.CreateDirectory(CacheDirectory);
    }

    /// <summary>A fresh scratch directory under build/tmp; the caller deletes it.</summary>
    public string NewTempDirectory(string purpose) =>
        Directory.CreateDirectory(Path.Combine(TempDirectory, $"{purpose}-{Guid.NewGuid():N}")).FullName;

    /// <summary>Stores small JSON-ish bytes (config, manifest) as a blob; returns its digest.</summary>
    public Digest PutBlob(byte[] bytes)
    {
        var digest = Digest.Sha256Of(bytes);
        var path = layout.BlobPath(digest);
        if (File.Exists(path)) return digest;
        var temp = Path.Combine(TempDirectory, $".blob-{Guid.NewGuid():N}");
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
        return digest;
    }

    /// <summary>Publishes a written layer: the blob under its digest and the overlay-form directory under its diff_id.</summary>
    public async Task<LayerRecord> PublishLayerAsync(LayerBlob blob, string directory, CancellationToken ct)
    {
        var blobPath = layout.BlobPath(blob.Digest);
        if (File.Exists(blobPath)) File.Delete(blob.Path);
        else File.Move(blob.Path, blobPath, overwrite: true);

        using (await FileLock.AcquireAsync(layout.LayerLock(blob.DiffId), exclusive: true, ct))
        {
            var target = layout.LayerPath(blob.DiffId);
            if (Directory.Exists(target)) DeleteTree(directory);
            else Directory.Move(directory, target);
        }
        return new LayerRecord(blob.Digest.ToString(), blob.DiffId.ToString(), blob.Size, MediaTypes.OciLayerGzip);
    }

    /// <summary>The cached layer for a step key, if its blob and unpacked directory are still in the store.</summary>
    public LayerRecord? FindCached(string key)
    {
        // Three lines (digest, diff_id, size), read by hand: a fully cached rebuild is mostly these lookups.
        if (ReadRecord(key + ".layer", 3) is not [var digestText, var diffIdText, var sizeText]) return null;
        if (!Digest.TryParse(digestText, out var digest) || !Digest.TryParse(diffIdText, out var diffId) || !long.TryParse(sizeText, out var size)) return null;
        if (!File.Exists(layout.BlobPath(digest)) || !Directory.Exists(layout.LayerPath(diffId))) return null;
        return new LayerRecord(digestText, diffIdText, size, MediaTypes.OciLayerGzip);
    }

    public void SaveCached(string key, LayerRecord layer) => WriteRecord(key + ".layer", layer.Digest, layer.DiffId, layer.Size.ToString());

    /// <summary>The config and manifest an image key was published as, if both blobs are still in the store.</summary>
    public PublishedImage? FindPublished(string imageKey)
    {
        if (ReadRecord(imageKey + ".image", 2) is not [var configText, var manifestText]) return null;
        if (!Digest.TryParse(configText, out var config) || !Digest.TryParse(manifestText, out var manifest)) return null;
        return File.Exists(layout.BlobPath(config)) && File.Exists(layout.BlobPath(manifest)) ? new PublishedImage(config, manifest) : null;
    }

    public void SavePublished(string imageKey, PublishedImage image) =>
        WriteRecord(imageKey + ".image", image.ConfigDigest.ToString(), image.ManifestDigest.ToString());

    /// <summary>The digests of build-context files the builder has hashed before (see <see cref="FileDigestCache"/>).</summary>
    public FileDigestCache LoadFileDigests() => FileDigestCache.Load(Path.Combine(CacheDirectory, "context-file-digests"));

    private string[]? ReadRecord(string name, int lines)
    {
        var path = Path.Combine(CacheDirectory, name);
        if (!File.Exists(path)) return null;
        var fields = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length == lines ? fields : null;
    }

    private void WriteRecord(string name, params string[] lines)
    {
        var temp = Path.Combine(TempDirectory, $".cache-{Guid.NewGuid():N}");
        File.WriteAllText(temp, string.Join('\n', lines) + "\n");
        File.Move(temp, Path.Combine(CacheDirectory, name), overwrite: true);
    }

    public string LayerDirectory(LayerRecord layer) => layout.LayerPath(Digest.Parse(layer.DiffId));

    /// <summary>Deletes a scratch tree; layers may hold read-only directories, so nothing is left half-deleted silently.</summary>
    public static void DeleteTree(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"runtime-agent: could not remove {directory}: {e.Message}");
        }
    }
}

/// <summary>A built image's config and manifest blobs, remembered under the key of the build's last step.</summary>
public sealed record PublishedImage(Digest ConfigDigest, Digest ManifestDigest);
