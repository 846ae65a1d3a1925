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
                                         bool insecure, Cli.ProgressStyle style, TextWriter output, CancellationToken ct)
    {
        try
        {
            var line = await Cli.ProgressDisplay.PushAsync(style, output, progress => PushAsync(target, steps, store, insecure, progress, ct));
            output.WriteLine(line);
        }
        catch (Exception e) when (e is RegistryException or HttpRequestException or IOException)
        {
            throw new BuildFailedException($"--cache-to {target}: {e.Message} (the image itself was built)");
        }
    }

    /// <summary>Returns the line that says what was exported.</summary>
    private static async Task<string> PushAsync(CacheReference target, IReadOnlyDictionary<string, LayerRecord> steps, BuildStore store,
                                                bool insecure, IPullProgress progress, CancellationToken ct)
    {
        var image = target.Image;
        var emptyConfig = store.PutBlob(CacheManifest.EmptyConfig);
        var manifest = CacheManifest.Create(steps, emptyConfig);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Relaxed.ImageManifest);

        using var client = new RegistryClient(image.Registry, () => new CredentialStore(store.Layout.AuthFile).Find(image.Registry), insecure);
        var uploader = new BlobUploader(client, store.Layout, progress);
        using var slots = new SemaphoreSlim(4);
        await Task.WhenAll(manifest.Layers.Select(l => l.Digest).Append(emptyConfig.ToString()).Select(async digest =>
        {
            await slots.WaitAsync(ct);
            try { await uploader.PushBlobAsync(image, Digest.Parse(digest), mountFrom: null, ct); }
            finally { slots.Release(); }
        }));
        await uploader.PutManifestAsync(image, image.Tag!, bytes, ct);
        return $"cache {target}: exported {steps.Count} steps ({manifest.Layers.Count} layers) as {Digest.Sha256Of(bytes)}";
    }
}
