using System.Text.Json;
using Registry.Storage.Oci;
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
        var path = Path.Combine(CacheDirectory, key + ".json");
        if (!File.Exists(path)) return null;
        try
        {
            var cached = JsonSerializer.Deserialize(File.ReadAllBytes(path), BuildJsonContext.Relaxed.CachedLayer);
            if (cached is null || !Digest.TryParse(cached.Digest, out var digest) || !Digest.TryParse(cached.DiffId, out var diffId)) return null;
            if (!File.Exists(layout.BlobPath(digest)) || !Directory.Exists(layout.LayerPath(diffId))) return null;
            return new LayerRecord(cached.Digest, cached.DiffId, cached.Size, MediaTypes.OciLayerGzip);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void SaveCached(string key, LayerRecord layer)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new CachedLayer(layer.Digest, layer.DiffId, layer.Size), BuildJsonContext.Relaxed.CachedLayer);
        var temp = Path.Combine(TempDirectory, $".cache-{Guid.NewGuid():N}");
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, Path.Combine(CacheDirectory, key + ".json"), overwrite: true);
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
