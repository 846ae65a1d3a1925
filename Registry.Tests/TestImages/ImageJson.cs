using Registry.Oci;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Registry.Tests.TestImages;

/// <summary>
/// Writes manifests, indexes and image configs with a fixed property order, so the same description
/// always gives the same bytes (and digest).
/// See: https://github.com/opencontainers/image-spec/blob/main/manifest.md
/// </summary>
internal static class ImageJson
{
    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping writes '+' in media types as is, like every other image tool.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static void Descriptor(Utf8JsonWriter writer, Descriptor descriptor)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", descriptor.MediaType);
        writer.WriteString("digest", descriptor.Digest.ToString());
        writer.WriteNumber("size", descriptor.Size);
        if (descriptor.ArtifactType is not null) writer.WriteString("artifactType", descriptor.ArtifactType);
        if (descriptor.Platform is { } platform)
        {
            writer.WriteStartObject("platform");
            writer.WriteString("architecture", platform.Architecture);
            writer.WriteString("os", platform.Os);
            if (platform.Variant is not null) writer.WriteString("variant", platform.Variant);
            writer.WriteEndObject();
        }
        Map(writer, "annotations", descriptor.Annotations);
        writer.WriteEndObject();
    }

    public static void Strings(Utf8JsonWriter writer, string name, IReadOnlyList<string>? values)
    {
        if (values is null) return;
        writer.WriteStartArray(name);
        foreach (var value in values) writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    public static void Map(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string>? values)
    {
        if (values is not { Count: > 0 }) return;
        writer.WriteStartObject(name);
        foreach (var (key, value) in values.OrderBy(pair => pair.Key, StringComparer.Ordinal)) writer.WriteString(key, value);
        writer.WriteEndObject();
    }
}
