using System.Text.Json.Serialization;

namespace Registry.Oci;

// The image config: mutable, because the agent's builder fills it in instruction by instruction; the defaults
// are the spec's (an image with no history, no layers, for linux/amd64).
// See: https://github.com/opencontainers/image-spec/blob/main/config.md

/// <summary>The image config document (<see cref="MediaTypes.OciConfig"/>).</summary>
public sealed class ImageConfig
{
    [JsonPropertyName("created")] public string? Created { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "amd64";
    [JsonPropertyName("os")] public string Os { get; set; } = "linux";
    [JsonPropertyName("config")] public RuntimeConfig Config { get; set; } = new();
    [JsonPropertyName("rootfs")] public RootFs RootFs { get; set; } = new();
    [JsonPropertyName("history")] public List<HistoryEntry> History { get; set; } = [];
}

/// <summary>The config's <c>config</c> object: how to run a container of the image.</summary>
public sealed class RuntimeConfig
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

/// <summary>The layers' diff_ids: digests of the uncompressed layer tars, bottom first.</summary>
public sealed class RootFs
{
    [JsonPropertyName("type")] public string Type { get; set; } = "layers";
    [JsonPropertyName("diff_ids")] public List<string> DiffIds { get; set; } = [];
}

/// <summary>One build step; <c>empty_layer</c> marks steps that added no layer.</summary>
public sealed class HistoryEntry
{
    [JsonPropertyName("created")] public string? Created { get; set; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; set; }
}
