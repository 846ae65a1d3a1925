using System.Text;
using RuntimeAgent.Run;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// The CLI side of <c>run -d</c> and <c>start</c>: posix_spawns this agent as <c>monitor ID</c> in a new session
/// (no terminal, stdio on /dev/null, so it outlives the CLI and the shell), with a pipe on descriptor 3 on which
/// the monitor reports "ok" once the container runs, or the reason it could not start it. No managed code runs
/// between fork and exec: posix_spawn does both.
/// </summary>
internal static unsafe class MonitorLauncher
{
    public const int ReadyDescriptor = 3;

    /// <summary>Starts the monitor and waits for its report; throws <see cref="ContainerSetupException"/> with the monitor's reason.</summary>
    public static void Start(string agentPath, string root, string id)
    {
        var pipe = stackalloc int[2];
        if (Pipe2(pipe, OCloExec) != 0) throw new ContainerSetupException($"pipe: {ErrorText(LastError)}");
        try
        {
            Spawn(agentPath, [agentPath, "--root", root, "monitor", id], pipe[1]);
        }
        finally
        {
            Close(pipe[1]); // ours: the monitor's copy is the only writer left, so EOF means it has reported or died
        }
        var report = ReadAll(pipe[0]);
        Close(pipe[0]);
        if (report == "ok") return;
        var parts = report.Split(' ', 2);
        throw parts.Length == 2 && int.TryParse(parts[0], out var code)
            ? new ContainerSetupException(parts[1], code)
            : new ContainerSetupException($"the monitor exited before starting the container{(report.Length > 0 ? ": " + report : "")}");
    }

    private static void Spawn(string path, IReadOnlyList<string> args, int readyFd)
    {
        using var file = new Utf8Z(path);
        using var argv = new Utf8ZArray(args);
        using var envp = new Utf8ZArray([$"PATH={ProcessStart.DefaultPath}"]);
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
            PosixSpawnattrSetflags(attr, (short)(PosixSpawnSetsid | PosixSpawnSetsigdef | PosixSpawnSetsigmask));
            PosixSpawnattrSetsigdefault(attr, allSignals);
            PosixSpawnattrSetsigmask(attr, noSignals);
            int pid;
            var error = PosixSpawn(&pid, file.Pointer, actions, attr, argv.Pointer, envp.Pointer);
            if (error != 0) throw new ContainerSetupException($"start the monitor {path}: {ErrorText(error)}");
        }
        finally
        {
            PosixSpawnFileActionsDestroy(actions);
            PosixSpawnattrDestroy(attr);
        }
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

    /// <summary>The monitor's side: report once on descriptor 3 and close it.</summary>
    public static void Report(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message + "\n");
        fixed (byte* p = bytes) Write(ReadyDescriptor, p, (nuint)bytes.Length);
        Close(ReadyDescriptor);
    }
}
