using System.Text.Json;
using System.Text.Json.Serialization;

namespace RuntimeAgent.Run;

/// <summary>A bind mount from the host into the container (<c>-v HOST:CONTAINER[:ro]</c>).</summary>
public sealed record VolumeMount(string HostPath, string ContainerPath, bool ReadOnly)
{
    /// <summary>
    /// <c>:idmap</c> with <c>--userns=auto</c>: the volume is seen through the container's id mapping (host root's
    /// files are root's inside, and what the container's root writes is host root's). Without it the container's
    /// ids reach the host unchanged: its root writes files owned by its mapped host uid.
    /// </summary>
    public bool Idmap { get; init; }
}

/// <summary>
/// Everything the in-namespace <c>init</c> needs, written by <c>run</c> to the container directory: the
/// overlay's directories, the namespaces' settings and the final process. Init works from this file alone.
/// </summary>
public sealed record ContainerSpec
{
    public required string Id { get; init; }
    /// <summary>Layer directories, top layer first (overlayfs lowerdir order).</summary>
    public required IReadOnlyList<string> LowerDirs { get; init; }
    public required string UpperDir { get; init; }
    public required string WorkDir { get; init; }
    public required string RootFs { get; init; }
    public required string Hostname { get; init; }
    public required bool PrivateNetwork { get; init; }
    /// <summary>Another container's network namespace to join (<c>--net container:NAME</c>), e.g. /proc/PID/ns/net.</summary>
    public string? NetworkNamespace { get; init; }
    public IReadOnlyList<VolumeMount> Volumes { get; init; } = [];
    public required IReadOnlyList<string> Args { get; init; }
    /// <summary>--tmpfs mounts, after the volumes.</summary>
    public IReadOnlyList<TmpfsMount> Tmpfs { get; init; } = [];
    /// <summary>
    /// A fresh tmpfs on /tmp (run's default). Build RUN steps leave it off: what a step writes to /tmp belongs
    /// in its layer, as in Docker.
    /// </summary>
    public bool TmpfsOnTmp { get; init; } = true;
    /// <summary>--read-only: the root filesystem is mounted read-only once everything is mounted on it.</summary>
    public bool ReadOnlyRoot { get; init; }
    public required IReadOnlyList<string> Env { get; init; }
    public required string WorkingDir { get; init; }
    /// <summary>Empty for root, else <c>UID[:GID]</c> or <c>NAME[:GROUP]</c>, resolved inside the container's /etc.</summary>
    public string User { get; init; } = "";
    /// <summary>The upper dir does not outlive the container, so the overlay may skip syncing it (overlayfs <c>volatile</c>).</summary>
    public bool DisposableUpper { get; init; }
    /// <summary>Capabilities, seccomp, no_new_privs and masked kernel paths (the default profile unless given).</summary>
    public Isolation.SecurityProfile Security { get; init; } = new();
    /// <summary>The container's cgroup directories (one on cgroup v2, one per controller on v1), joined before it execs.</summary>
    public IReadOnlyList<string> CgroupDirectories { get; init; } = [];
    /// <summary>Keep init as PID 1 to reap zombies and forward signals, instead of exec'ing the command.</summary>
    public bool ReapZombies { get; init; }
    /// <summary><c>-t</c>: the command's stdio is a pty from the container's devpts (<see cref="Terminal.ContainerTerminal"/>).</summary>
    public bool Tty { get; init; }
    /// <summary>With <see cref="Tty"/>, <c>-i</c>: keyboard input reaches the terminal (the agent's stdin, or attach's).</summary>
    public bool TerminalInput { get; init; }
    /// <summary>
    /// With <see cref="Tty"/> on the init path (<c>--init</c>): the pty slave, inside the container, that the agent opened
    /// and keeps the master of; init starts the command on it (<see cref="Reaper"/>) and stays outside the terminal.
    /// </summary>
    public string? TerminalPath { get; init; }
    /// <summary>How the root is stacked from <see cref="LowerDirs"/> (Snapshots/RootMount).</summary>
    public Snapshots.Snapshotter Snapshotter { get; init; }
    /// <summary>With <c>--userns=auto</c>, the host ids the container's user namespace maps 0… onto; null: no user namespace.</summary>
    public UserNamespaces.IdRange? UserNamespace { get; init; }
    /// <summary>
    /// With a user namespace: the descriptor init inherits and closes once it is in the container's root, so the
    /// launcher returns (and exec can join) only then, never while init still sees the host's tree. -1: none.
    /// </summary>
    public int ReadyFd { get; init; } = -1;

    /// <summary>
    /// A foreground run's tmpfs for the upper, work and rootfs directories and the /etc files (decision 009), mounted by the
    /// setup thread before the root; null: they are on the disk, made by the caller. Not saved: init never mounts it.
    /// </summary>
    [JsonIgnore]
    public ScratchTmpfs? Scratch { get; init; }

    /// <summary>
    /// run -d's forked monitor: the upper, work and rootfs directories and the /etc files, made on the disk by its main
    /// thread while the setup thread unshares; the setup thread waits for them before it mounts the root. Null: they exist
    /// before the launch (or are on the <see cref="Scratch"/> tmpfs). Not saved: made once, before the first run.
    /// </summary>
    [JsonIgnore]
    public HostFilesLater? HostFiles { get; init; }

    /// <summary>
    /// Written beside <paramref name="path"/> and renamed over it, so a reader (init, inspect, rm) sees the old spec or
    /// the new one, never a half-written file (a process killed mid-write used to leave one that rm could not read).
    /// </summary>
    public void Save(string path)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        File.WriteAllBytes(temp, ContainerSpecWriter.ToUtf8(this));
        File.Move(temp, path, overwrite: true);
    }

    public static ContainerSpec Load(string path) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(path), RunJsonContext.Default.ContainerSpec)
        ?? throw new InvalidDataException($"empty container spec {path}");
}

[JsonSerializable(typeof(ContainerSpec))]
internal sealed partial class RunJsonContext : JsonSerializerContext;
