using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>Starts the container's command: finds it on the container's PATH and execs or spawns it with clean signal state.</summary>
internal static unsafe class ProcessStart
{
    private const int GateDescriptor = 1023, ArrivalDescriptor = 1022;

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Resolves a command the way execvp does, but against the container's environment, not ours.</summary>
    public static string FindExecutable(string command, IReadOnlyList<string> env)
    {
        if (command.Contains('/')) return command;
        var path = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        foreach (var dir in path.Split(':'))
        {
            var candidate = Path.Join(dir.Length == 0 ? "." : dir, command);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                return candidate;
        }
        throw new ContainerSetupException($"exec: \"{command}\": executable file not found in $PATH", 127);
    }

    /// <summary>Replaces this process with the command. Only returns by throwing.</summary>
    public static void Exec(string path, IReadOnlyList<string> args, IReadOnlyList<string> env)
    {
        using var file = new Utf8Z(path);
        using var argv = new Utf8ZArray(args);
        using var envp = new Utf8ZArray(env);
        // .NET ignores SIGPIPE and blocks signals on its threads; a SIG_IGN disposition and the mask survive
        // execve, so a container would inherit them. Caught signals are reset by execve itself.
        for (var signal = 1; signal <= 64; signal++)
            if (signal is not SigKill and not SigStop) ResetSignalToDefault(signal);
        UnblockAllSignals();
        Execve(file.Pointer, argv.Pointer, envp.Pointer);
        throw Failure(path, LastError);
    }

    /// <summary>
    /// Spawns the command as a child with default signal dispositions and an empty mask; returns its pid.
    /// With <paramref name="gate"/>, the child first opens that FIFO for reading, which holds it before
    /// execve until someone opens the other end (<see cref="StartGate"/>). With <paramref name="nullStdin"/>,
    /// its stdin is /dev/null (of its own root) instead of ours. With <paramref name="outputFd"/>, its stdout and
    /// stderr both go to that descriptor. With <paramref name="terminal"/> (a pty slave's path), the child starts a new
    /// session and opens the terminal as its stdio, which makes it the session's controlling terminal.
    /// </summary>
    public static int Spawn(string path, IReadOnlyList<string> args, IReadOnlyList<string> env, bool newProcessGroup = false, string? gate = null,
        bool nullStdin = false, int outputFd = -1, string? terminal = null)
    {
        using var file = new Utf8Z(path);
        using var argv = new Utf8ZArray(args);
        using var envp = new Utf8ZArray(env);
        var attr = stackalloc byte[1024]; // posix_spawnattr_t is 336 bytes in glibc
        // All bits set, including glibc's internal 32 and 33 that sigfillset leaves out, so none stays ignored.
        var allSignals = stackalloc ulong[16];
        var noSignals = stackalloc ulong[16];
        for (var i = 0; i < 16; i++) { allSignals[i] = ulong.MaxValue; noSignals[i] = 0; }
        var actions = stackalloc byte[256]; // posix_spawn_file_actions_t is 80 bytes in glibc
        using var gatePath = gate is null ? null : new Utf8Z(gate);
        using var arrivalPath = gate is null ? null : new Utf8Z(StartGate.ArrivalPath(gate));
        using var devNull = nullStdin ? new Utf8Z("/dev/null") : null;
        using var terminalPath = terminal is null ? null : new Utf8Z(terminal);
        PosixSpawnattrInit(attr);
        PosixSpawnFileActionsInit(actions);
        try
        {
            if (gatePath is not null)
            {
                // Tells the gate's keeper that the child exists (a reader is open: this never blocks), then waits at the gate.
                PosixSpawnFileActionsAddopen(actions, ArrivalDescriptor, arrivalPath!.Pointer, OWrOnly, 0);
                PosixSpawnFileActionsAddclose(actions, ArrivalDescriptor);
                // Any descriptor number works: it is opened (blocking), then closed again before execve.
                PosixSpawnFileActionsAddopen(actions, GateDescriptor, gatePath.Pointer, ORdOnly, 0);
                PosixSpawnFileActionsAddclose(actions, GateDescriptor);
            }
            if (devNull is not null) PosixSpawnFileActionsAddopen(actions, 0, devNull.Pointer, ORdOnly, 0);
            if (terminalPath is not null)
            {
                // glibc runs setsid (POSIX_SPAWN_SETSID) before the file actions, so this open acquires the terminal.
                PosixSpawnFileActionsAddopen(actions, 0, terminalPath.Pointer, ORdWr, 0);
                PosixSpawnFileActionsAdddup2(actions, 0, 1);
                PosixSpawnFileActionsAdddup2(actions, 0, 2);
            }
            if (outputFd >= 0)
            {
                PosixSpawnFileActionsAdddup2(actions, outputFd, 1);
                PosixSpawnFileActionsAdddup2(actions, outputFd, 2);
            }
            // A session leader is already its group's leader (setpgid would fail), so a terminal excludes a new group.
            var flags = PosixSpawnSetsigdef | PosixSpawnSetsigmask
                | (terminalPath is not null ? PosixSpawnSetsid : newProcessGroup ? PosixSpawnSetpgroup : 0);
            PosixSpawnattrSetflags(attr, (short)flags);
            PosixSpawnattrSetsigdefault(attr, allSignals);
            PosixSpawnattrSetsigmask(attr, noSignals);
            PosixSpawnattrSetpgroup(attr, 0);
            int pid;
            var error = PosixSpawn(&pid, file.Pointer, gatePath is null && devNull is null && outputFd < 0 && terminalPath is null ? null : actions, attr, argv.Pointer, envp.Pointer);
            return error == 0 ? pid : throw Failure(path, error);
        }
        finally
        {
            PosixSpawnFileActionsDestroy(actions);
            PosixSpawnattrDestroy(attr);
        }
    }

    /// <summary>Waits for a child; returns the shell-style exit code (128+N when killed by signal N).</summary>
    public static int Wait(int pid)
    {
        int status;
        while (Waitpid(pid, &status, 0) < 0)
            if (LastError != EIntr) throw new ContainerSetupException($"waitpid {pid}: {ErrorText(LastError)}");
        return ExitCodeOf(status);
    }

    public static int ExitCodeOf(int status) =>
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);

    private static ContainerSetupException Failure(string path, int errno) => new(
        $"exec {path}: {ErrorText(errno)}", errno is ENoEnt or ENotDir ? 127 : 126);
}
