using System.Text.Json;
using Registry.Storage.Blobs;
using Registry.Storage.Metadata;
using Registry.Oci;

namespace Registry.Api.Ui.Data;

/// <summary>A descriptor as the manifest page lists it (index entries carry their platform).</summary>
public sealed record DescriptorRow(string MediaType, string Digest, long Size, string? Platform, string? ArtifactType);

/// <summary>The runtime part of an image config and its history.</summary>
public sealed record ImageConfigView(string? Platform, IReadOnlyList<string> Env, IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Cmd,
    string? WorkingDir, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<HistoryRow> History);

/// <summary>One step of an image's history.</summary>
public sealed record HistoryRow(string? Created, string? CreatedBy, bool EmptyLayer);

/// <summary>What the manifest page shows of a stored manifest, read from its exact bytes and its config blob.</summary>
public sealed record ManifestDetails(string Digest, string MediaType, long Size, bool IsIndex, string? ArtifactType, string? Subject,
    DescriptorRow? Config, IReadOnlyList<DescriptorRow> Entries, IReadOnlyDictionary<string, string> Annotations, ImageConfigView? Image)
{
    // Configs are small JSON documents; anything larger is not read into the page.
    private const long MaxConfigBytes = 1024 * 1024;

    public static async Task<ManifestDetails> ReadAsync(StoredManifest stored, IBlobStore blobs, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(stored.Content);
        var root = document.RootElement;
        var isIndex = root.TryGetProperty("manifests", out var manifests) && manifests.ValueKind == JsonValueKind.Array;
        var entries = (isIndex ? manifests : root.TryGetProperty("layers", out var layers) ? layers : default) is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().Select(ToRow).ToList() : [];
        var config = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? ToRow(c) : null;
        var image = config is not null && IsImageConfig(config.MediaType) && config.Size <= MaxConfigBytes
            ? await ReadConfigAsync(config.Digest, blobs, cancellationToken) : null;
        return new ManifestDetails(stored.Digest, stored.MediaType, stored.Content.Length, isIndex,
            Text(root, "artifactType"), root.TryGetProperty("subject", out var s) ? Text(s, "digest") : null,
            config, entries, Strings(root, "annotations"), image);
    }

    private static bool IsImageConfig(string mediaType) => mediaType is MediaTypes.OciConfig or MediaTypes.DockerConfig;

    private static async Task<ImageConfigView?> ReadConfigAsync(string digest, IBlobStore blobs, CancellationToken cancellationToken)
    {
        if (!Registry.Oci.Digest.TryParse(digest, out var parsed)) return null;
        try
        {
            await using var stream = await blobs.OpenReadAsync(parsed, 0, null, cancellationToken);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            var root = document.RootElement;
            var runtime = root.TryGetProperty("config", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
            var history = root.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.Array
                ? h.EnumerateArray().Select(e => new HistoryRow(Text(e, "created"), Text(e, "created_by"),
                    e.TryGetProperty("empty_layer", out var empty) && empty.ValueKind == JsonValueKind.True)).ToList()
                : [];
            return new ImageConfigView(PlatformOf(root), List(runtime, "Env"), List(runtime, "Entrypoint"), List(runtime, "Cmd"),
                Text(runtime, "WorkingDir"), Strings(runtime, "Labels"), history);
        }
        catch (Exception e) when (e is JsonException or FileNotFoundException or IOException)
        {
            // A config that is missing or not JSON leaves the section out rather than failing the page.
            return null;
        }
    }

    private static DescriptorRow ToRow(JsonElement descriptor) => new(
        Text(descriptor, "mediaType") ?? "", Text(descriptor, "digest") ?? "",
        descriptor.TryGetProperty("size", out var size) && size.TryGetInt64(out var bytes) ? bytes : 0,
        descriptor.TryGetProperty("platform", out var platform) ? PlatformOf(platform) : null,
        Text(descriptor, "artifactType"));

    private static string? PlatformOf(JsonElement element)
    {
        var os = Text(element, "os");
        var architecture = Text(element, "architecture");
        if (os is null && architecture is null) return null;
        var variant = Text(element, "variant");
        return variant is null ? $"{os}/{architecture}" : $"{os}/{architecture}/{variant}";
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IReadOnlyList<string> List(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList() : [];

    private static IReadOnlyDictionary<string, string> Strings(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : new Dictionary<string, string>();
}
