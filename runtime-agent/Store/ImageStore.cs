using System.Text.Json;
using Registry.Oci;
using RuntimeAgent.Registry;
using RuntimeAgent.Unpack;

namespace RuntimeAgent.Store;

/// <summary>How to pull: plain HTTP for a non-loopback registry, the per-layer uncompressed cap, where progress goes.</summary>
public sealed record PullOptions(bool Insecure = false, long MaxLayerBytes = LayerUnpacker.DefaultMaxBytes, IPullProgress? Progress = null);

/// <summary>
/// An image ready to run: its config and unpacked layer directories, bottom layer first. While it is not
/// disposed it holds the store lock shared, so `gc` cannot delete its layers.
/// </summary>
public sealed class ResolvedImage(ImageRecord record, RuntimeConfig config, IReadOnlyList<string> layerDirectories, IDisposable lease) : IDisposable
{
    public ImageRecord Record { get; } = record;
    /// <summary>The runtime part of the image config (Env, Entrypoint, Cmd, WorkingDir, User; the rest is not read).</summary>
    public RuntimeConfig Config { get; } = config;

    /// <summary>Bottom layer first; overlayfs wants them reversed in lowerdir= (top first).</summary>
    public IReadOnlyList<string> LayerDirectories { get; } = layerDirectories;

    public void Dispose() => lease.Dispose();
}

/// <summary>
/// The image side's API: pull, resolve for running, list and remove images in the store under --root.
/// The run side calls <see cref="ResolveAsync"/>; see runtime-agent/README.md.
/// </summary>
public sealed class ImageStore(StoreLayout layout)
{
    private readonly ImageRecords records = new(layout);

    public StoreLayout Layout => layout;

    public static ImageStore Open(string root) => new(new StoreLayout(Path.GetFullPath(root)));

    /// <summary>Returns the image ready to run, pulling it first when the store lacks it or any of its parts.</summary>
    public async Task<ResolvedImage> ResolveAsync(string reference, PullOptions? options = null, CancellationToken ct = default)
    {
        var image = ImageReference.Parse(reference);
        layout.EnsureCreated();
        var lease = await FileLock.AcquireAsync(layout.StoreLock, exclusive: false, ct);
        try
        {
            var record = records.Find(image);
            if (record is null || !IsComplete(record))
                record = await new ImagePuller(layout, Credentials).PullAsync(image, options ?? new PullOptions(), ct);
            var config = ReadRuntimeConfig(layout.BlobPath(Digest.Parse(record.ConfigDigest)), record.ManifestDigest);
            var directories = new List<string>(record.Layers.Count);
            for (var i = 0; i < record.Layers.Count; i++) directories.Add(layout.LayerPath(Digest.Parse(record.Layers[i].DiffId)));
            return new ResolvedImage(record, config, directories, lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>Pulls the image (again), refreshing its record even when everything is cached.</summary>
    public async Task<ImageRecord> PullAsync(string reference, PullOptions options, CancellationToken ct = default)
    {
        var image = ImageReference.Parse(reference);
        layout.EnsureCreated();
        using var lease = await FileLock.AcquireAsync(layout.StoreLock, exclusive: false, ct,
            () => options.Progress?.Message("waiting for gc to finish"));
        return await new ImagePuller(layout, Credentials).PullAsync(image, options, ct);
    }

    public IReadOnlyList<ImageRecord> List() => records.List();

    /// <summary>Forgets an image; its blobs and layers stay until `gc`. False when no such image.</summary>
    public bool Remove(string reference) => records.Remove(ImageReference.Parse(reference).ToString());

    public CredentialStore Credentials => new(layout.AuthFile);

    // Loops rather than LINQ on the path of every `run` (see ImageRecord.FromJson).
    private bool IsComplete(ImageRecord record)
    {
        if (!File.Exists(layout.BlobPath(Digest.Parse(record.ConfigDigest)))) return false;
        for (var i = 0; i < record.Layers.Count; i++)
            if (!Directory.Exists(layout.LayerPath(Digest.Parse(record.Layers[i].DiffId)))) return false;
        return true;
    }

    /// <summary>The runtime part of a stored image config (validated when it was pulled; RuntimeConfigReader).</summary>
    private static RuntimeConfig ReadRuntimeConfig(string path, string manifest)
    {
        try
        {
            return RuntimeConfigReader.Read(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new RegistryException($"image config of {manifest} is not valid: {e.Message}");
        }
    }
}
