using System.Text.Json;
using Registry.Oci;
using RuntimeAgent.Registry;

namespace RuntimeAgent.Store;

/// <summary>
/// Pulls one image: manifest (walking an index to linux/amd64), config, then every layer in parallel, each
/// unpacked as soon as its blob is verified; the image record is written last, so it never points at
/// something missing.
/// </summary>
internal sealed class ImagePuller(StoreLayout layout, CredentialStore credentials)
{
    private readonly BlobCache blobs = new(layout);
    private readonly LayerStore layers = new(layout);
    private readonly ImageRecords records = new(layout);

    public async Task<ImageRecord> PullAsync(ImageReference reference, PullOptions options, CancellationToken ct)
    {
        var progress = options.Progress ?? SilentProgress.Instance;
        using var client = new RegistryClient(reference.Registry, () => credentials.Find(reference.Registry), options.Insecure);
        var manifest = await new ManifestResolver(client).ResolveAsync(reference, ct);
        progress.Message($"{reference}: manifest {manifest.ManifestDigest}");

        var configPath = await blobs.EnsureAsync(client, reference.Repository, manifest.Document.Config!, "config", progress, ct);
        var config = ReadConfig(configPath, manifest.ManifestDigest);
        var descriptors = manifest.Document.Layers!;
        var diffIds = config.RootFs?.DiffIds ?? [];
        if (diffIds.Count != descriptors.Count)
            throw new RegistryException($"{reference}: the manifest lists {descriptors.Count} layers but the config {diffIds.Count} diff_ids");

        using var unpackSlots = new SemaphoreSlim(Math.Max(1, Environment.ProcessorCount));
        var layerTasks = descriptors.Select(async (descriptor, index) =>
        {
            var diffId = Digest.TryParse(diffIds[index], out var parsed) ? parsed
                : throw new RegistryException($"{reference}: invalid diff_id '{diffIds[index]}' in the image config");
            var label = ShortDigest(descriptor.Digest);
            var blobPath = await blobs.EnsureAsync(client, reference.Repository, descriptor, label, progress, ct);
            await unpackSlots.WaitAsync(ct);
            try
            {
                await layers.EnsureAsync(blobPath, diffId, options.MaxLayerBytes, ct);
            }
            finally { unpackSlots.Release(); }
            return new LayerRecord(descriptor.Digest, diffId.ToString(), descriptor.Size, descriptor.MediaType);
        }).ToList();
        var layerRecords = await Task.WhenAll(layerTasks);

        var record = new ImageRecord(reference.ToString(), manifest.TopDigest.ToString(), manifest.ManifestDigest.ToString(),
                                     manifest.Document.Config!.Digest, layerRecords, DateTimeOffset.UtcNow);
        records.Save(record);
        progress.Message($"{reference}: pulled {record.Digest}");
        return record;
    }

    internal static ImageConfig ReadConfig(string path, Digest manifest)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), OciJsonContext.Default.ImageConfig)
                   ?? throw new RegistryException($"image config of {manifest} is empty");
        }
        catch (JsonException e)
        {
            throw new RegistryException($"image config of {manifest} is not valid JSON: {e.Message}");
        }
    }

    private static string ShortDigest(string digest) =>
        digest.IndexOf(':') is var colon and >= 0 && digest.Length > colon + 12 ? digest[(colon + 1)..(colon + 13)] : digest;
}
