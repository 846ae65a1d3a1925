using System.Text;
using RuntimeAgent.Run;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// The CLI side of <c>run -d</c> and <c>start</c>: posix_spawns this agent as <c>monitor</c> in a new session
/// (no terminal, stdio on /dev/null, so it outlives the CLI and the shell). The monitor learns its container's id
/// on descriptor 4 and reports on descriptor 3: "ok" once the container runs, or the reason it could not start
/// it. No managed code runs between fork and exec: posix_spawn does both.
/// <para>
/// <c>run -d</c> spawns the monitor before it resolves the image and records the container, and hands it the id
/// when the container is recorded: the monitor's own start (a second runtime start, the largest part of a
/// detached run's cost) overlaps the CLI's work instead of following it. A CLI that fails before then closes
/// descriptor 4 unwritten, and the monitor exits without touching anything.
/// </para>
/// </summary>
internal sealed unsafe class MonitorLauncher : IDisposable
{
    public const int ReadyDescriptor = 3, IdDescriptor = 4;

    private readonly int _pid;
    private int _idFd, _reportFd;
    private ProcessIdentity? _monitor;
    private bool _identified;

    private MonitorLauncher(int idFd, int reportFd, int pid) => (_idFd, _reportFd, _pid) = (idFd, reportFd, pid);

    /// <summary>
    /// The monitor's pid and start time, for the container's first record: the monitor then need not rewrite
    /// state.json before it starts the container. Null if /proc could not tell (it records itself then). Read on first
    /// use, not right after the spawn: the CLI has other work to do while the monitor's runtime starts.
    /// </summary>
    public ProcessIdentity? Monitor
    {
        get
        {
            if (!_identified) (_monitor, _identified) = (ProcessIdentity.Of(_pid), true);
            return _monitor;
        }
    }

    /// <summary>Starts a monitor that waits for its container's id (<see cref="Hand"/>).</summary>
    public static MonitorLauncher Spawn(string agentPath, string root)
    {
        var report = stackalloc int[2];
        var id = stackalloc int[2];
        if (Pipe2(report, OCloExec) != 0) throw new ContainerSetupException($"pipe: {ErrorText(LastError)}");
        if (Pipe2(id, OCloExec) != 0)
        {
            Close(report[0]);
            Close(report[1]);
            throw new ContainerSetupException($"pipe: {ErrorText(LastError)}");
        }
        int monitor;
        try
        {
            // Above the descriptors the file actions write, so one dup2 cannot overwrite the other's source.
            var (reportWrite, idRead) = (AboveTargets(report[1]), AboveTargets(id[0]));
            try
            {
                monitor = Spawn(agentPath, [agentPath, "--root", root, "monitor"], reportWrite, idRead);
            }
            finally
            {
                Close(reportWrite); // ours: the monitor's copies are the only ones left, so EOF means it has reported or died
                Close(idRead);
            }
        }
        catch
        {
            Close(report[0]);
            Close(id[1]);
            throw;
        }
        return new MonitorLauncher(id[1], report[0], monitor);
    }

    /// <summary>Starts the monitor of a recorded container and waits for its report (<c>start</c>).</summary>
    public static void Start(string agentPath, string root, string id)
    {
        using var monitor = Spawn(agentPath, root);
        monitor.Hand(id);
    }

    /// <summary>
    /// Gives the monitor its container and waits for its report; throws <see cref="ContainerSetupException"/> with the
    /// monitor's reason.
    /// </summary>
    public void Hand(string id)
    {
        var bytes = Encoding.ASCII.GetBytes(id + "\n");
        fixed (byte* p = bytes) WriteAll(_idFd, p, bytes.Length);
        Close(_idFd);
        _idFd = -1;
        Diagnostics.PhaseTrace.Mark("handed");
        var report = ReadAll(_reportFd);
        Close(_reportFd);
        _reportFd = -1;
        if (report == "ok") return;
        var parts = report.Split(' ', 2);
        throw parts.Length == 2 && int.TryParse(parts[0], out var code)
            ? new ContainerSetupException(parts[1], code)
            : new ContainerSetupException($"the monitor exited before starting the container{(report.Length > 0 ? ": " + report : "")}");
    }

    private static void WriteAll(int fd, byte* data, int length)
    {
        while (length > 0)
        {
            var written = Write(fd, data, (nuint)length);
            if (written < 0 && LastError == EIntr) continue;
            if (written <= 0) return; // the monitor is gone: its report (none) says so
            data += written;
            length -= (int)written;
        }
    }

    /// <summary>Without <see cref="Hand"/>: the monitor reads end-of-file instead of an id and exits.</summary>
    public void Dispose()
    {
        if (_idFd >= 0) Close(_idFd);
        if (_reportFd >= 0) Close(_reportFd);
        _idFd = _reportFd = -1;
    }

    private static int AboveTargets(int fd)
    {
        if (fd > IdDescriptor) return fd;
        var moved = Fcntl(fd, FDupFdCloExec, IdDescriptor + 1);
        Close(fd);
        return moved >= 0 ? moved : throw new ContainerSetupException($"fcntl: {ErrorText(LastError)}");
    }

    private static int Spawn(string path, IReadOnlyList<string> args, int readyFd, int idFd)
    {
        using var file = new Utf8Z(path);
        using var argv = new Utf8ZArray(args);
        using var envp = new Utf8ZArray(MonitorEnvironment());
        using var devNull = new Utf8Z("/dev/null");
        var attr = stackalloc byte[1024];
        var actions = stackalloc byte[256];
        var allSignals = stackalloc ulong[16];
        var noSignals = stackalloc ulong[16];
        for (var i = 0; i < 16; i++) { allSignals[i] = ulong.MaxValue; noSignals[i] = 0; }
        PosixSpawnattrInit(attr);
        PosixSpawnFileActionsInit(actions);
        try
        {
            PosixSpawnFileActionsAddopen(actions, 0, devNull.Pointer, ORdOnly, 0);
            PosixSpawnFileActionsAddopen(actions, 1, devNull.Pointer, OWrOnly, 0);
            PosixSpawnFileActionsAddopen(actions, 2, devNull.Pointer, OWrOnly, 0);
            PosixSpawnFileActionsAdddup2(actions, readyFd, ReadyDescriptor);
            PosixSpawnFileActionsAdddup2(actions, idFd, IdDescriptor);
            PosixSpawnattrSetflags(attr, (short)(PosixSpawnSetsid | PosixSpawnSetsigdef | PosixSpawnSetsigmask));
            PosixSpawnattrSetsigdefault(attr, allSignals);
            PosixSpawnattrSetsigmask(attr, noSignals);
            int pid;
            var error = PosixSpawn(&pid, file.Pointer, actions, attr, argv.Pointer, envp.Pointer);
            if (error != 0) throw new ContainerSetupException($"start the monitor {path}: {ErrorText(error)}");
            return pid;
        }
        finally
        {
            PosixSpawnFileActionsDestroy(actions);
            PosixSpawnattrDestroy(attr);
        }
    }

    /// <summary>
    /// PATH, and what the monitor must know of this process: that it runs rootless (in the user namespace this agent made,
    /// where it is root but may not make device nodes; without the marker it set the container up as the host's root and
    /// failed), and where phase marks go.
    /// </summary>
    private static List<string> MonitorEnvironment()
    {
        var environment = new List<string> { $"PATH={ProcessStart.DefaultPath}" };
        if (Run.UserNamespaces.RootlessMode.Active) environment.Add($"{Run.UserNamespaces.RootlessMode.Marker}=1");
        if (Diagnostics.PhaseTrace.EnvironmentEntry is { } trace) environment.Add(trace);
        return environment;
    }

    private static string ReadAll(int fd)
    {
        var result = new List<byte>();
        var buffer = stackalloc byte[4096];
        while (true)
        {
            var read = Read(fd, buffer, 4096);
            if (read < 0 && LastError == EIntr) continue;
            if (read <= 0) break;
            result.AddRange(new ReadOnlySpan<byte>(buffer, (int)read));
        }
        return Encoding.UTF8.GetString(result.ToArray()).Trim();
    }

    /// <summary>The monitor's side: its container's id from descriptor 4 (closed then); null when the CLI gave up.</summary>
    public static string? Receive()
    {
        var id = ReadAll(IdDescriptor);
        Close(IdDescriptor);
        Diagnostics.PhaseTrace.Mark("monitor-received");
        return id.Length > 0 && id.All(char.IsAsciiLetterOrDigit) ? id : null;
    }

    /// <summary>The monitor's side: report once on descriptor 3 and close it.</summary>
    public static void Report(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message + "\n");
        fixed (byte* p = bytes) Write(ReadyDescriptor, p, (nuint)bytes.Length);
        Close(ReadyDescriptor);
    }
}
