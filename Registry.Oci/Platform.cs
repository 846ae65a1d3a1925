using System.Text.Json.Serialization;

namespace Registry.Oci;

/// <summary>
/// The platform an image runs on: an image config's os/architecture and an index entry's <c>platform</c>.
/// See: https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions
/// </summary>
public sealed record Platform(
    [property: JsonPropertyName("os")] string Os = "linux",
    [property: JsonPropertyName("architecture")] string Architecture = "amd64",
    [property: JsonPropertyName("variant"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Variant = null)
{
    /// <summary>The one platform the agent runs.</summary>
    public static Platform LinuxAmd64 { get; } = new();
}
