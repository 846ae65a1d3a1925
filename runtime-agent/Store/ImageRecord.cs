using System.Text.Json.Serialization;

namespace RuntimeAgent.Store;

/// <summary>What a pull leaves in $root/images: enough to run the image without asking the registry again.</summary>
public sealed record ImageRecord(
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("manifestDigest")] string ManifestDigest,
    [property: JsonPropertyName("configDigest")] string ConfigDigest,
    [property: JsonPropertyName("layers")] IReadOnlyList<LayerRecord> Layers,
    [property: JsonPropertyName("pulled")] DateTimeOffset Pulled)
{
    public long Size => Layers.Sum(l => l.Size);
}

/// <summary>A layer: its blob (compressed) digest, its diff_id (the uncompressed tar's) and the blob size.</summary>
public sealed record LayerRecord(
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("diffId")] string DiffId,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("mediaType")] string? MediaType);
