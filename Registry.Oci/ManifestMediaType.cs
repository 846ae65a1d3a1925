using System.Text.Json;

namespace Registry.Oci;

/// <summary>Tells which kind of manifest a document is before reading it as one.</summary>
public static class ManifestMediaType
{
    /// <summary>
    /// The document's own <c>mediaType</c>, else the response's Content-Type when it names a manifest type, else
    /// its shape (OCI lets the field out): <c>manifests</c> makes an index, anything else an image manifest.
    /// </summary>
    /// <exception cref="JsonException">when the document is not a JSON object.</exception>
    public static string Detect(ReadOnlySpan<byte> json, string? contentType)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a manifest must be a JSON object");
        string? declared = null;
        var hasManifests = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("mediaType"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) declared = reader.GetString();
            }
            else
            {
                hasManifests |= reader.ValueTextEquals("manifests"u8);
                reader.Read();
            }
            reader.Skip();
        }
        if (declared is not null) return declared;
        var header = contentType?.Split(';')[0].Trim();
        if (header is not null && MediaTypes.IsManifest(header)) return header;
        return hasManifests ? MediaTypes.OciIndex : MediaTypes.OciManifest;
    }
}
