using System.Text.Json;
using System.Text.Json.Serialization;

namespace RuntimeAgent.Build.Image;

// The full image config and manifest the builder writes (the pull side reads only the runtime subset).
// See: https://github.com/opencontainers/image-spec/blob/main/config.md
// See: https://github.com/opencontainers/image-spec/blob/main/manifest.md

public sealed class OciImageConfig
{
    [JsonPropertyName("created")] public string? Created { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "amd64";
    [JsonPropertyName("os")] public string Os { get; set; } = "linux";
    [JsonPropertyName("config")] public OciRuntimeConfig Config { get; set; } = new();
    [JsonPropertyName("rootfs")] public OciRootFs RootFs { get; set; } = new();
    [JsonPropertyName("history")] public List<OciHistory> History { get; set; } = [];
}

public sealed class OciRuntimeConfig
{
    [JsonPropertyName("User")] public string? User { get; set; }
    [JsonPropertyName("ExposedPorts")] public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }
    [JsonPropertyName("Env")] public List<string>? Env { get; set; }
    [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; set; }
    [JsonPropertyName("Cmd")] public List<string>? Cmd { get; set; }
    [JsonPropertyName("Volumes")] public Dictionary<string, EmptyObject>? Volumes { get; set; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; set; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; set; }
    // Docker's fields beyond the OCI ones (docker and buildah's docker format write them; OCI readers ignore them).
    [JsonPropertyName("Healthcheck")] public HealthConfig? Healthcheck { get; set; }
    [JsonPropertyName("OnBuild")] public List<string>? OnBuild { get; set; }
    [JsonPropertyName("Shell")] public List<string>? Shell { get; set; }
}

/// <summary>Docker's HEALTHCHECK record: durations in nanoseconds, zero values left out.</summary>
public sealed class HealthConfig
{
    [JsonPropertyName("Test")] public List<string> Test { get; set; } = [];
    [JsonPropertyName("Interval")] public long? Interval { get; set; }
    [JsonPropertyName("Timeout")] public long? Timeout { get; set; }
    [JsonPropertyName("StartPeriod")] public long? StartPeriod { get; set; }
    [JsonPropertyName("StartInterval")] public long? StartInterval { get; set; }
    [JsonPropertyName("Retries")] public int? Retries { get; set; }
}

/// <summary>Serializes as <c>{}</c>: the spec's value for ExposedPorts and Volumes entries.</summary>
public sealed class EmptyObject;

public sealed class OciRootFs
{
    [JsonPropertyName("type")] public string Type { get; set; } = "layers";
    [JsonPropertyName("diff_ids")] public List<string> DiffIds { get; set; } = [];
}

public sealed class OciHistory
{
    [JsonPropertyName("created")] public string? Created { get; set; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; set; }
}

public sealed record OciDescriptor(
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size);

public sealed record OciManifest(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("config")] OciDescriptor Config,
    [property: JsonPropertyName("layers")] IReadOnlyList<OciDescriptor> Layers);

/// <summary>
/// Source-generated JSON for the builder. Relaxed escaping writes '+' and '&lt;' as themselves: Go's
/// time.Time reads the raw bytes of a timestamp, so umoci and skopeo reject "\u002B00:00".
/// </summary>
[JsonSerializable(typeof(OciImageConfig))]
[JsonSerializable(typeof(OciManifest))]
internal sealed partial class BuildJsonContext : JsonSerializerContext
{
    public static BuildJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
