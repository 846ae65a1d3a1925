using System.Text.RegularExpressions;
using RuntimeAgent.Native;
using RuntimeAgent.Store;

namespace RuntimeAgent.Containers;

/// <summary>A container name or id that matches nothing, or more than one container; a name already taken.</summary>
public sealed class ContainerStateException(string message) : Exception(message);

/// <summary>
/// The detached containers under containers/: one directory per id holding state.json (<see cref="ContainerState"/>),
/// spec.json, the log and the overlay's upper/work/rootfs. Directories without state.json belong to foreground
/// runs and are not listed. Every read reconciles a container whose monitor died (<see cref="Reconcile"/>).
/// </summary>
public sealed partial class ContainerStore(StoreLayout layout)
{
    public string Directory(string id) => Path.Join(layout.ContainersDirectory, id);
    public string StatePath(string id) => Path.Join(Directory(id), "state.json");
    public string SpecPath(string id) => Path.Join(Directory(id), "spec.json");
    public string LogPath(string id) => Path.Join(Directory(id), "container.log");
    public string AttachSocketPath(string id) => Path.Join(Directory(id), Attach.AttachFrames.SocketName);

    /// <summary>Records a new container, refusing a name another container has (checked and written under one lock).</summary>
    public void Create(ContainerState state)
    {
        if (!ValidName().IsMatch(state.Name))
            throw new ContainerStateException($"invalid container name '{state.Name}': use letters, digits, '_', '.' and '-'");
        using var names = Lock(Path.Join(layout.ContainersDirectory, ".names.lock"));
        if (ListRaw().Any(c => c.Name == state.Name))
            throw new ContainerStateException($"the container name '{state.Name}' is already in use");
        Write(state);
    }

    public IReadOnlyList<ContainerState> List() => ListRaw().Select(Reconcile).OrderByDescending(c => c.Created).ToList();

    /// <summary>Finds a container by exact name, exact id, or unique id prefix.</summary>
    public ContainerState Find(string nameOrId)
    {
        var all = ListRaw();
        var match = all.FirstOrDefault(c => c.Name == nameOrId) ?? all.FirstOrDefault(c => c.Id == nameOrId);
        if (match is null)
        {
            var prefixed = nameOrId.Length == 0 ? [] : all.Where(c => c.Id.StartsWith(nameOrId, StringComparison.Ordinal)).ToList();
            if (prefixed.Count > 1) throw new ContainerStateException($"'{nameOrId}' matches more than one container");
            match = prefixed.FirstOrDefault() ?? throw new ContainerStateException($"no such container: {nameOrId}");
        }
        return Reconcile(match);
    }

    /// <summary>The network namespace of a running container, for <c>--net container:NAME</c>.</summary>
    public string NetworkNamespaceOf(string nameOrId)
    {
        var state = Find(nameOrId);
        if (state.Status != ContainerStatus.Running || !state.Process.IsAlive)
            throw new ContainerStateException($"container {state.Name} is not running: cannot share its network");
        return $"/proc/{state.Pid}/ns/net";
    }

    public ContainerState Load(string id) => ContainerState.FromJson(File.ReadAllBytes(StatePath(id)));

    /// <summary>Read-modify-write under the container's lock (the monitor and the CLI both update it).</summary>
    public ContainerState Update(string id, Action<ContainerState> change)
    {
        using var held = Lock(Path.Join(Directory(id), "state.lock"));
        var state = Load(id);
        change(state);
        Write(state);
        return state;
    }

    /// <summary>
    /// A container whose monitor is gone (SIGKILLed, or the host rebooted) is recorded as exited; a container
    /// process it left behind is killed, since nothing would reap it, log it or restart it.
    /// </summary>
    public ContainerState Reconcile(ContainerState state)
    {
        if (!state.IsActive || state.Monitor.IsAlive || state.MonitorPid == 0 && state.Status == ContainerStatus.Created) return state;
        return Update(state.Id, s =>
        {
            if (!s.IsActive || s.Monitor.IsAlive) return;
            var killed = s.Process.Signal(Libc.SigKill);
            if (killed) s.Process.WaitForExit(TimeSpan.FromSeconds(5));
            s.Status = ContainerStatus.Exited;
            s.ExitCode ??= killed ? 137 : 255;
            s.FinishedAt ??= DateTimeOffset.UtcNow;
            s.Error = $"the monitor (pid {s.MonitorPid}) exited unexpectedly" + (killed ? "; the container was killed" : "");
        });
    }

    /// <summary>
    /// Deletes the container's directory and its cgroup (kept across restarts while the container exists). Its mounts
    /// lived in its own mount namespace, so none is left on the host.
    /// </summary>
    public void Delete(string id)
    {
        var dir = Directory(id);
        var spec = ReadableSpec(id);
        // state.json first: a half-deleted container is never listed.
        File.Delete(StatePath(id));
        System.IO.Directory.Delete(dir, recursive: true);
        Run.Isolation.Cgroups.ContainerCgroup.RemoveDirectories(spec?.CgroupDirectories ?? []);
        if (spec?.UserNamespace is not null) Run.UserNamespaces.UserNamespaceAllocation.Release(layout, id);
    }

    /// <summary>
    /// Removes what a run that never finished left: a container directory without state.json (a foreground run, or a
    /// `run -d` before its record, killed by SIGKILL or a reboot), with the cgroups its spec names. Only for the garbage
    /// collector, which holds the store lock exclusively: every live run holds it shared from the image's resolution on,
    /// so no such directory belongs to a run in progress. Returns how many it removed.
    /// </summary>
    public int RemoveUnrecorded()
    {
        if (!System.IO.Directory.Exists(layout.ContainersDirectory)) return 0;
        var removed = 0;
        foreach (var dir in System.IO.Directory.EnumerateDirectories(layout.ContainersDirectory))
        {
            var id = Path.GetFileName(dir);
            if (File.Exists(StatePath(id))) continue;
            Delete(id);
            removed++;
        }
        return removed;
    }

    /// <summary>
    /// The spec rm needs for the cgroups and the user-namespace range, or null when there is none or it cannot be read
    /// (written by an older agent that could leave it half-written): the container's directory still goes, rather than rm
    /// failing on it forever.
    /// </summary>
    private Run.ContainerSpec? ReadableSpec(string id)
    {
        if (!File.Exists(SpecPath(id))) return null;
        try
        {
            return Run.ContainerSpec.Load(SpecPath(id));
        }
        catch (Exception e) when (e is FileNotFoundException or System.Text.Json.JsonException or InvalidDataException)
        {
            return null;
        }
    }

    private List<ContainerState> ListRaw()
    {
        if (!System.IO.Directory.Exists(layout.ContainersDirectory)) return [];
        var result = new List<ContainerState>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories(layout.ContainersDirectory))
        {
            var id = Path.GetFileName(dir);
            // A foreground run's directory has none, nor has the container that Create is recording: skipped without an
            // exception, whose first throw in a process costs most of a millisecond on run -d's path.
            if (!File.Exists(StatePath(id))) continue;
            try
            {
                result.Add(Load(id));
            }
            catch (FileNotFoundException) { } // one being deleted
            catch (DirectoryNotFoundException) { }
        }
        return result;
    }

    private void Write(ContainerState state)
    {
        var path = StatePath(state.Id);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, state.ToJson());
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>An exclusive flock held until disposed; the kernel drops it if the holder dies.</summary>
    private static FileHandleLock Lock(string path) => new(path);

    private sealed class FileHandleLock : IDisposable
    {
        private readonly int fd;

        public FileHandleLock(string path)
        {
            fd = Libc.OpenAt(Libc.AtFdCwd, path, 0x2 | Libc.OCreat | Libc.OCloExec, 0b110_000_000);
            if (fd < 0) throw new IOException($"open {path}: {Libc.ErrorText(Libc.LastError)}");
            while (Libc.Flock(fd, Libc.LockExclusive) != 0)
            {
                if (Libc.LastError == Libc.EIntr) continue;
                Libc.Close(fd);
                throw new IOException($"flock {path}: {Libc.ErrorText(Libc.LastError)}");
            }
        }

        public void Dispose() => Libc.Close(fd);
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$")]
    private static partial Regex ValidName();
}
