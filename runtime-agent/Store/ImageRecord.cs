using System.Text.Json;
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

    /// <summary>
    /// Reads a record written by the source-generated serializer. Read by hand because every `run` reads one: the
    /// serializer's first use of a type builds its metadata (about 8% of a cached run's CPU time), and JsonDocument
    /// rents from ArrayPool, whose first rent and return initialise the pool (about 0.5 ms of a cached run on the
    /// machine measured; docs/PERFORMANCE.md). Throws KeyNotFoundException, InvalidOperationException, JsonException
    /// or FormatException on a malformed record.
    /// </summary>
    public static ImageRecord FromUtf8(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        string? reference = null, digest = null, manifestDigest = null, configDigest = null;
        List<LayerRecord>? layers = null;
        DateTimeOffset? pulled = null;
        JsonFields.StartObject(ref reader);
        while (JsonFields.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("reference"u8)) reference = JsonFields.String(ref reader);
            else if (reader.ValueTextEquals("digest"u8)) digest = JsonFields.String(ref reader);
            else if (reader.ValueTextEquals("manifestDigest"u8)) manifestDigest = JsonFields.String(ref reader);
            else if (reader.ValueTextEquals("configDigest"u8)) configDigest = JsonFields.String(ref reader);
            else if (reader.ValueTextEquals("pulled"u8)) pulled = JsonFields.Value(ref reader).GetDateTimeOffset();
            else if (reader.ValueTextEquals("layers"u8)) layers = LayerRecord.ReadArray(ref reader);
            else JsonFields.SkipValue(ref reader);
        }
        return new(JsonFields.Required(reference, "reference"), JsonFields.Required(digest, "digest"),
            JsonFields.Required(manifestDigest, "manifestDigest"), JsonFields.Required(configDigest, "configDigest"),
            JsonFields.Required(layers, "layers"), pulled ?? throw new KeyNotFoundException("pulled"));
    }
}

/// <summary>A layer: its blob (compressed) digest, its diff_id (the uncompressed tar's) and the blob size.</summary>
public sealed record LayerRecord(
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("diffId")] string DiffId,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("mediaType")] string? MediaType)
{
    /// <summary>Reads the array the reader's current property holds (see <see cref="ImageRecord.FromUtf8"/>).</summary>
    internal static List<LayerRecord> ReadArray(ref Utf8JsonReader reader)
    {
        var layers = new List<LayerRecord>();
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray) throw new InvalidOperationException("layers is not an array");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new InvalidOperationException("a layer is not an object");
            string? digest = null, diffId = null, mediaType = null;
            long? size = null;
            while (JsonFields.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("digest"u8)) digest = JsonFields.String(ref reader);
                else if (reader.ValueTextEquals("diffId"u8)) diffId = JsonFields.String(ref reader);
                else if (reader.ValueTextEquals("size"u8)) size = JsonFields.Value(ref reader).GetInt64();
                else if (reader.ValueTextEquals("mediaType"u8)) mediaType = JsonFields.String(ref reader);
                else JsonFields.SkipValue(ref reader);
            }
            layers.Add(new(JsonFields.Required(digest, "digest"), JsonFields.Required(diffId, "diffId"),
                size ?? throw new KeyNotFoundException("size"), mediaType));
        }
        return layers;
    }
}
