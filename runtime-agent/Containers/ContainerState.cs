using System.Text.Json;
using System.Text.Json.Serialization;

namespace RuntimeAgent.Containers;

/// <summary>A published port: <c>-p [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp]</c>.</summary>
public sealed record PortMapping(string HostIp, int HostPort, int ContainerPort, string Protocol)
{
    public override string ToString() => $"{HostIp}:{HostPort}->{ContainerPort}/{Protocol}";
}

/// <summary>The lifecycle states a detached container goes through, as Docker names them.</summary>
public static class ContainerStatus
{
    public const string Created = "created", Running = "running", Restarting = "restarting", Exited = "exited";
}

/// <summary>
/// What the agent knows about one detached container, in containers/ID/state.json: written by <c>run -d</c>
/// and its monitor, read by ps/inspect/logs/stop/…; replaced atomically (write then rename) under the
/// container's lock, so readers never see half a file.
/// </summary>
public sealed class ContainerState
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Image { get; init; }
    public string ImageDigest { get; init; } = "";
    public required IReadOnlyList<string> Command { get; init; }
    public DateTimeOffset Created { get; init; }
    public string Status { get; set; } = ContainerStatus.Created;
    public int Pid { get; set; }
    public ulong PidStartTime { get; set; }
    public int MonitorPid { get; set; }
    public ulong MonitorStartTime { get; set; }
    public int? ExitCode { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int RestartCount { get; set; }
    public string RestartPolicy { get; init; } = "no";
    public int StopSignal { get; init; } = 15;
    public int StopTimeoutSeconds { get; init; } = 10;
    /// <summary>Set by stop/kill/rm so the monitor does not apply the restart policy to the exit they cause.</summary>
    public bool StopRequested { get; set; }
    public string? Error { get; set; }
    public string Hostname { get; init; } = "";
    public string Network { get; init; } = "private";
    public IReadOnlyList<PortMapping> Ports { get; init; } = [];
    public long LogMaxBytes { get; init; } = 10 * 1024 * 1024;
    /// <summary>The check the monitor runs (the image's Healthcheck, overridden by --health-*); null: none.</summary>
    public global::Registry.Oci.HealthConfig? Healthcheck { get; init; }
    /// <summary>--health-on-failure: none, kill, restart or stop, done by the check when the container turns unhealthy.</summary>
    public string HealthOnFailure { get; init; } = "none";
    /// <summary>The check's latest verdicts; null when there is no check.</summary>
    public HealthState? Health { get; set; }

    /// <summary>The record was removed meanwhile (a foreground run's, which ends with the run).</summary>
    [JsonIgnore] public bool IsGone { get; set; }
    [JsonIgnore] public ProcessIdentity Process => new(Pid, PidStartTime);
    [JsonIgnore] public ProcessIdentity Monitor => new(MonitorPid, MonitorStartTime);
    [JsonIgnore] public bool IsActive => Status is ContainerStatus.Running or ContainerStatus.Restarting or ContainerStatus.Created;

    public byte[] ToJson() => ContainerStateWriter.ToUtf8(this);

    public static ContainerState FromJson(byte[] json) =>
        JsonSerializer.Deserialize(json, ContainerJsonContext.Default.ContainerState) ?? throw new InvalidDataException("empty container state");
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(List<ContainerState>))]
[JsonSerializable(typeof(List<ContainerDetails>))]
internal sealed partial class ContainerJsonContext : JsonSerializerContext;
