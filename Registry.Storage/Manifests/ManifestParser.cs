using System.Text.Json;
using Registry.Oci;

namespace Registry.Storage.Manifests;

/// <summary>
/// Validates the manifests the registry accepts: OCI image manifest and index, Docker schema2 manifest and
/// manifest list. It reads the bytes; it never rewrites them (the digest is of the bytes as pushed).
/// See: https://github.com/opencontainers/image-spec/blob/main/manifest.md
/// See: https://github.com/opencontainers/image-spec/blob/main/image-index.md
/// </summary>
public static class ManifestParser
{
    /// <summary>The largest manifest accepted; larger ones are refused with 413.</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Parses <paramref name="content"/> pushed with <paramref name="contentType"/> (may be null or generic).
    /// </summary>
    /// <exception cref="ManifestInvalidException">when the manifest is malformed or inconsistent.</exception>
    public static ParsedManifest Parse(ReadOnlyMemory<byte> content, string? contentType)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content);
        }
        catch (JsonException e)
        {
            throw new ManifestInvalidException($"manifest is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ManifestInvalidException("manifest must be a JSON object");
            if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number ||
                !version.TryGetInt32(out var schemaVersion) || schemaVersion != 2)
                throw new ManifestInvalidException("schemaVersion must be 2");

            var mediaType = ResolveMediaType(root, contentType);
            var annotations = ReadAnnotations(root, "annotations");
            var subject = root.TryGetProperty("subject", out var s) && s.ValueKind != JsonValueKind.Null
                ? ReadDescriptor(s, "subject") : null;
            var artifactType = OptionalString(root, "artifactType");

            if (MediaTypes.IsIndex(mediaType))
            {
                var children = ReadDescriptorArray(root, "manifests", required: true);
                if (mediaType == MediaTypes.DockerManifestList && children.Any(c => !MediaTypes.IsManifest(c.MediaType)))
                    throw new ManifestInvalidException("a manifest list may only list manifests");
                return new ParsedManifest(mediaType, artifactType, subject, [], children, annotations);
            }

            if (!root.TryGetProperty("config", out var configElement))
                throw new ManifestInvalidException("manifest has no config descriptor");
            var config = ReadDescriptor(configElement, "config");
            var layers = ReadDescriptorArray(root, "layers", required: true);
            var layerElements = root.GetProperty("layers");
            var foreign = layers.Where((layer, i) => ForeignLayer.IsForeign(layerElements[i], layer.MediaType, $"layers[{i}]")).ToList();
            // The referrers API reports artifactType, falling back to the config's media type.
            var reportedArtifactType = artifactType ?? (mediaType == MediaTypes.OciManifest ? config.MediaType : null);
            return new ParsedManifest(mediaType, reportedArtifactType, subject, [config, .. layers], [], annotations)
            {
                ForeignLayers = foreign,
            };
        }
    }

    private static string ResolveMediaType(JsonElement root, string? contentType)
    {
        var declared = OptionalString(root, "mediaType");
        var header = contentType?.Split(';')[0].Trim();
        var headerIsManifest = header is not null && MediaTypes.IsManifest(header);
        if (declared is not null && !MediaTypes.IsManifest(declared))
            throw new ManifestInvalidException($"unsupported manifest mediaType '{declared}'");
        if (declared is not null && headerIsManifest && declared != header)
            throw new ManifestInvalidException($"mediaType '{declared}' does not match Content-Type '{header}'");
        if (headerIsManifest) return header!;
        if (declared is not null) return declared;
        // OCI allows omitting mediaType; tell an index from a manifest by its shape.
        if (root.TryGetProperty("manifests", out _)) return MediaTypes.OciIndex;
        if (root.TryGetProperty("config", out _)) return MediaTypes.OciManifest;
        throw new ManifestInvalidException("cannot tell the manifest's media type: set Content-Type or mediaType");
    }

    private static List<Descriptor> ReadDescriptorArray(JsonElement root, string property, bool required)
    {
        if (!root.TryGetProperty(property, out var array))
        {
            if (required) throw new ManifestInvalidException($"manifest has no '{property}' array");
            return [];
        }
        if (array.ValueKind != JsonValueKind.Array) throw new ManifestInvalidException($"'{property}' must be an array");
        var result = new List<Descriptor>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray()) result.Add(ReadDescriptor(item, $"{property}[{index++}]"));
        return result;
    }

    private static Descriptor ReadDescriptor(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new ManifestInvalidException($"{where} must be a descriptor object");
        var mediaType = OptionalString(element, "mediaType");
        if (string.IsNullOrEmpty(mediaType)) throw new ManifestInvalidException($"{where} has no mediaType");
        var digestText = OptionalString(element, "digest");
        if (!Digest.TryParse(digestText, out var digest)) throw new ManifestInvalidException($"{where} has an invalid digest '{digestText}'");
        if (!element.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number ||
            !sizeElement.TryGetInt64(out var size) || size < 0)
            throw new ManifestInvalidException($"{where} has no valid size");
        return new Descriptor(mediaType, digest.ToString(), size)
        {
            ArtifactType = OptionalString(element, "artifactType"),
            Annotations = ReadAnnotations(element, "annotations"),
        };
    }

    private static Dictionary<string, string>? ReadAnnotations(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out var map) || map.ValueKind == JsonValueKind.Null) return null;
        if (map.ValueKind != JsonValueKind.Object) throw new ManifestInvalidException($"'{property}' must be an object");
        var result = new Dictionary<string, string>();
        foreach (var entry in map.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new ManifestInvalidException($"annotation '{entry.Name}' must be a string");
            result[entry.Name] = entry.Value.GetString()!;
        }
        return result;
    }

    private static string? OptionalString(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw new ManifestInvalidException($"'{property}' must be a string");
        return value.GetString();
    }
}
