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
    /// Reads a record written by the source-generated serializer. Read by hand because every `run` reads one,
    /// and the serializer's first use of a type builds its metadata (attribute reflection included): about
    /// 8% of a cached run's CPU time. Throws KeyNotFoundException, InvalidOperationException or
    /// FormatException on a malformed record. The layers are read in a loop, not with LINQ: in a NativeAOT process
    /// each LINQ call site's first interface dispatch is resolved at run time, on the path of every `run`.
    /// </summary>
    public static ImageRecord FromJson(JsonElement json)
    {
        var layersJson = json.GetProperty("layers");
        var layers = new List<LayerRecord>(layersJson.GetArrayLength());
        foreach (var layer in layersJson.EnumerateArray()) layers.Add(LayerRecord.FromJson(layer));
        return new(
            json.GetProperty("reference").GetString()!,
            json.GetProperty("digest").GetString()!,
            json.GetProperty("manifestDigest").GetString()!,
            json.GetProperty("configDigest").GetString()!,
            layers,
            json.GetProperty("pulled").GetDateTimeOffset());
    }
}

/// <summary>A layer: its blob (compressed) digest, its diff_id (the uncompressed tar's) and the blob size.</summary>
public sealed record LayerRecord(
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("diffId")] string DiffId,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("mediaType")] string? MediaType)
{
    public static LayerRecord FromJson(JsonElement json) => new(
        json.GetProperty("digest").GetString()!,
        json.GetProperty("diffId").GetString()!,
        json.GetProperty("size").GetInt64(),
        json.TryGetProperty("mediaType", out var mediaType) ? mediaType.GetString() : null);
}
