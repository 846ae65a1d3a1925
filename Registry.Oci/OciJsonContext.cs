using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Registry.Oci;

/// <summary>
/// Source-generated JSON for every OCI document (NativeAOT and trimming need no reflection).
/// <see cref="Relaxed"/> writes '+' and '&lt;' as themselves, as every other image tool does: Go's time.Time
/// reads the raw bytes of a timestamp, so umoci and skopeo reject "\u002B00:00".
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(TokenResponse))]
public sealed partial class OciJsonContext : JsonSerializerContext
{
    /// <summary>The context to write documents with (relaxed escaping; nulls left out).</summary>
    public static OciJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
