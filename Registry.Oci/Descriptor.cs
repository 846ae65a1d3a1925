using System.Text.Json.Serialization;

namespace Registry.Oci;

/// <summary>
/// A content descriptor: what a manifest or an index says about a blob or another manifest.
/// The digest is kept as written (a string); parse it with <see cref="Oci.Digest.Parse"/> where it is trusted.
/// See: https://github.com/opencontainers/image-spec/blob/main/descriptor.md
/// </summary>
public sealed record Descriptor(
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size)
{
    [JsonPropertyName("artifactType"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ArtifactType { get; init; }

    /// <summary>An index entry's platform; null on layer and config descriptors.</summary>
    [JsonPropertyName("platform"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Platform? Platform { get; init; }

    [JsonPropertyName("annotations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}
