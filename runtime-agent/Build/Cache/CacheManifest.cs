using Registry.Oci;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build.Cache;

/// <summary>
/// A build cache as the registry holds it: an OCI artifact manifest (its own <see cref="ArtifactType"/>, the empty
/// config) whose layers are the step layers, each annotated with the step keys it is the result of and its diff_id.
/// A layer several steps produced is listed once. Nothing else is needed to reuse a step: its key (computed by the
/// build from the recipe, the context and the parent step) names the layer, and the layer carries its content.
/// See: https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidelines-for-artifact-usage
/// </summary>
public static class CacheManifest
{
    public const string ArtifactType = "application/vnd.runtime-agent.build.cache.v1";
    public const string KeysAnnotation = "dev.runtime-agent.build.cache.keys";
    public const string DiffIdAnnotation = "dev.runtime-agent.build.diff-id";

    /// <summary>The OCI empty config blob (<c>{}</c>), which an artifact with no config of its own points at.</summary>
    public static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    public static ImageManifest Create(IReadOnlyDictionary<string, LayerRecord> steps, Digest emptyConfig)
    {
        var layers = steps.GroupBy(s => s.Value.Digest, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var layer = g.First().Value;
                return new Descriptor(layer.MediaType ?? MediaTypes.OciLayerGzip, layer.Digest, layer.Size)
                {
                    Annotations = new Dictionary<string, string>
                    {
                        [KeysAnnotation] = string.Join(' ', g.Select(s => s.Key).Order(StringComparer.Ordinal)),
                        [DiffIdAnnotation] = layer.DiffId,
                    },
                };
            }).ToList();
        return new ImageManifest(2, MediaTypes.OciManifest, new Descriptor(MediaTypes.OciEmpty, emptyConfig.ToString(), EmptyConfig.Length), layers)
        {
            ArtifactType = ArtifactType,
        };
    }

    /// <summary>Step key → its layer's descriptor and diff_id; layers without valid annotations are skipped.</summary>
    public static Dictionary<string, (Descriptor Layer, Digest DiffId)> Read(ImageManifest manifest)
    {
        var steps = new Dictionary<string, (Descriptor, Digest)>(StringComparer.Ordinal);
        foreach (var layer in manifest.Layers)
        {
            if (layer.Annotations is not { } annotations || !Digest.TryParse(layer.Digest, out _)) continue;
            if (!annotations.TryGetValue(KeysAnnotation, out var keys) || !annotations.TryGetValue(DiffIdAnnotation, out var diffIdText)) continue;
            if (!Digest.TryParse(diffIdText, out var diffId)) continue;
            foreach (var key in keys.Split(' ', StringSplitOptions.RemoveEmptyEntries)) steps[key] = (layer, diffId);
        }
        return steps;
    }
}
