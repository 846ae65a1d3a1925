using Registry.Oci;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;
using RuntimeAgent.Unpack;

namespace RuntimeAgent.Build.Cache;

/// <summary>
/// `--cache-from REF`: the step keys a registry cache (<see cref="CacheManifest"/>) knows, read once before the build.
/// A step that misses the local cache but is known here has its layer pulled (digest checked while streaming, as
/// pull does) and unpacked, and is not run; layers of steps the build never reaches are never fetched. A cache that
/// is missing or unreadable is a warning, not a failure: the build runs without it, as BuildKit's does.
/// </summary>
public sealed class RegistryStepCache : IDisposable
{
    private readonly CacheReference reference;
    private readonly RegistryClient client;
    private readonly StoreLayout layout;
    private readonly Dictionary<string, (Descriptor Layer, Digest DiffId)> steps;

    private RegistryStepCache(CacheReference reference, RegistryClient client, StoreLayout layout, Dictionary<string, (Descriptor, Digest)> steps) =>
        (this.reference, this.client, this.layout, this.steps) = (reference, client, layout, steps);

    public static async Task<RegistryStepCache?> OpenAsync(CacheReference reference, StoreLayout layout, bool insecure, TextWriter output, CancellationToken ct)
    {
        var image = reference.Image;
        var client = new RegistryClient(image.Registry, () => new CredentialStore(layout.AuthFile).Find(image.Registry), insecure);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30)); // a cache that does not answer must not hold the build
            var manifest = (await new ManifestResolver(client).ResolveAsync(image, timeout.Token)).Document;
            if (manifest.ArtifactType != CacheManifest.ArtifactType)
                throw new RegistryException($"not a build cache (artifactType '{manifest.ArtifactType}', expected '{CacheManifest.ArtifactType}')");
            var steps = CacheManifest.Read(manifest);
            output.WriteLine($"cache {reference}: {steps.Count} steps");
            return new RegistryStepCache(reference, client, layout, steps);
        }
        catch (Exception e) when (e is ImageNotFoundException or RegistryException or HttpRequestException or IOException
                                   or OperationCanceledException && !ct.IsCancellationRequested)
        {
            client.Dispose();
            output.WriteLine($"warning: --cache-from {reference}: {Reason(e)}; building without it");
            return null;
        }
    }

    /// <summary>The layer of a step this cache knows, pulled and unpacked into the store; null when unknown or when fetching failed.</summary>
    public async Task<LayerRecord?> FetchAsync(string key, TextWriter output, CancellationToken ct)
    {
        if (!steps.TryGetValue(key, out var hit)) return null;
        try
        {
            var blob = await new BlobCache(layout).EnsureAsync(client, reference.Image.Repository, hit.Layer, hit.Layer.Digest, SilentProgress.Instance, ct);
            await new LayerStore(layout).EnsureAsync(blob, hit.DiffId, LayerUnpacker.DefaultMaxBytes, ct);
            return new LayerRecord(hit.Layer.Digest, hit.DiffId.ToString(), hit.Layer.Size, hit.Layer.MediaType);
        }
        catch (Exception e) when (e is RegistryException or HttpRequestException or IOException or LayerRefusedException)
        {
            output.WriteLine($"warning: --cache-from {reference}: layer {hit.Layer.Digest}: {Reason(e)}; running the step instead");
            return null;
        }
    }

    public override string ToString() => reference.ToString();

    private static string Reason(Exception e) => e is OperationCanceledException ? "no answer within 30 s" : e.Message;

    public void Dispose() => client.Dispose();
}
