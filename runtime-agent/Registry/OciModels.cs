using System.Text.Json.Serialization;

namespace RuntimeAgent.Registry;

// The subset of the OCI image spec (and its Docker v2.2 twin) that pulling needs.
// See: https://github.com/opencontainers/image-spec/blob/main/manifest.md
// See: https://github.com/opencontainers/image-spec/blob/main/image-index.md

public sealed record Platform(
    [property: JsonPropertyName("os")] string? Os,
    [property: JsonPropertyName("architecture")] string? Architecture,
    [property: JsonPropertyName("variant")] string? Variant);

public sealed record Descriptor(
    [property: JsonPropertyName("mediaType")] string? MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("platform")] Platform? Platform = null);

/// <summary>An image manifest or an index: which one is told by the media type.</summary>
public sealed record ManifestDocument(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("mediaType")] string? MediaType,
    [property: JsonPropertyName("config")] Descriptor? Config,
    [property: JsonPropertyName("layers")] IReadOnlyList<Descriptor>? Layers,
    [property: JsonPropertyName("manifests")] IReadOnlyList<Descriptor>? Manifests);

// See: https://github.com/opencontainers/image-spec/blob/main/config.md
public sealed record ImageConfigDocument(
    [property: JsonPropertyName("architecture")] string? Architecture,
    [property: JsonPropertyName("os")] string? Os,
    [property: JsonPropertyName("config")] RuntimeConfig? Config,
    [property: JsonPropertyName("rootfs")] RootFs? RootFs);

public sealed record RuntimeConfig(
    [property: JsonPropertyName("Env")] IReadOnlyList<string>? Env,
    [property: JsonPropertyName("Entrypoint")] IReadOnlyList<string>? Entrypoint,
    [property: JsonPropertyName("Cmd")] IReadOnlyList<string>? Cmd,
    [property: JsonPropertyName("WorkingDir")] string? WorkingDir,
    [property: JsonPropertyName("User")] string? User);

public sealed record RootFs(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("diff_ids")] IReadOnlyList<string>? DiffIds);

/// <summary>A registry token response; registries use either field name.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("access_token")] string? AccessToken);
