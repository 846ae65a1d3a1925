using System.Text.Json;
using Registry.Oci;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Push;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build.Cache;

/// <summary>
/// `--cache-to REF`: pushes every layer step of the build (cached or run, from every stage it built) and then the
/// cache manifest naming them (<see cref="CacheManifest"/>) under REF's tag. Unlike a missing --cache-from, a failed
/// export fails the build command: the user asked for the cache to be written.
/// </summary>
public static class CacheExporter
{
    public static async Task ExportAsync(CacheReference target, IReadOnlyDictionary<string, LayerRecord> steps, BuildStore store,
                                         bool insecure, TextWriter output, CancellationToken ct)
    {
        try
        {
            await PushAsync(target, steps, store, insecure, output, ct);
        }
        catch (Exception e) when (e is RegistryException or HttpRequestException or IOException)
        {
            throw new BuildFailedException($"--cache-to {target}: {e.Message} (the image itself was built)");
        }
    }

    private static async Task PushAsync(CacheReference target, IReadOnlyDictionary<string, LayerRecord> steps, BuildStore store,
                                        bool insecure, TextWriter output, CancellationToken ct)
    {
        var image = target.Image;
        var emptyConfig = store.PutBlob(CacheManifest.EmptyConfig);
        var manifest = CacheManifest.Create(steps, emptyConfig);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Relaxed.ImageManifest);

        using var client = new RegistryClient(image.Registry, () => new CredentialStore(store.Layout.AuthFile).Find(image.Registry), insecure);
        var uploader = new BlobUploader(client, store.Layout, TextWriter.Null);
        using var slots = new SemaphoreSlim(4);
        await Task.WhenAll(manifest.Layers.Select(l => l.Digest).Append(emptyConfig.ToString()).Select(async digest =>
        {
            await slots.WaitAsync(ct);
            try { await uploader.PushBlobAsync(image, Digest.Parse(digest), mountFrom: null, ct); }
            finally { slots.Release(); }
        }));
        await uploader.PutManifestAsync(image, image.Tag!, bytes, ct);
        output.WriteLine($"cache {target}: exported {steps.Count} steps ({manifest.Layers.Count} layers) as {Digest.Sha256Of(bytes)}");
    }
}
