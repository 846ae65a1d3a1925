using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using RuntimeAgent.Run;
using RuntimeAgent.Run.Terminal;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>What <c>exec</c> runs: the command, and what it overrides of the container's own process (env, user, working directory).</summary>
public sealed record ExecRequest(IReadOnlyList<string> Args, IReadOnlyList<string> Env, string? User, string? WorkingDir, bool Interactive)
{
    /// <summary><c>-t</c>: a new pty from the container's devpts as the command's stdio and controlling terminal.</summary>
    public bool Tty { get; init; }
}

/// <summary>
/// <c>exec NAME CMD…</c>: a new process inside a running container. As with <c>run</c>, a dedicated thread does what
/// a multi-threaded process cannot: it leaves the agent's filesystem context (unshare CLONE_FS), joins the
/// container's IPC, UTS, network and mount namespaces (setns), takes the container's root (fchdir to
/// /proc/PID/root, opened before, then chroot), resolves user and command against the container's files,
/// enters its PID namespace for children, takes on the container's security profile (capabilities, no_new_privs,
/// seccomp: <see cref="Run.Isolation.ThreadLockdown"/>) and user on that thread only, and posix_spawns the command,
/// which <see cref="ExecCgroupGate"/> moves into the container's cgroup before it execs. The agent waits for it and
/// forwards signals, as a foreground run does.
/// </summary>
internal sealed class ContainerExec(ContainerState state, ContainerSpec spec)
{
    private static readonly (string Name, int Type)[] Namespaces =
        [("ipc", CloneNewIpc), ("uts", CloneNewUts), ("net", CloneNewNet), ("mnt", CloneNewNs)];

    /// <summary>The pty master of an <c>exec -t</c> once <see cref="Start"/> returned; else -1.</summary>
    private int terminalFd = -1;

    public int Run(ExecRequest request)
    {
        // With -t the command has its own terminal and session: the agent relays bytes and forwards every signal.
        var terminalDelivers = !request.Tty && request.Interactive && Isatty(0) == 1 && Tcgetpgrp(0) == Getpgrp();
        var pid = 0;
        var registrations = Reaper.ForwardedSignals.Select(signal => PosixSignalRegistration.Create((PosixSignal)signal, context =>
        {
            context.Cancel = true;
            if (pid > 0 && !(terminalDelivers && signal is 2 or 3)) Kill(pid, signal);
        })).ToList();
        try
        {
            pid = Start(request, newProcessGroup: !terminalDelivers);
            using var relay = terminalFd >= 0 ? new TerminalRelay(terminalFd, request.Interactive) : null;
            return ProcessStart.Wait(pid);
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    /// <summary>
    /// Starts the command in the container and returns its pid (a child of this process) without waiting for it; with
    /// <paramref name="outputFd"/>, its stdout and stderr go there (the monitor's health checks read them).
    /// </summary>
    public int Start(ExecRequest request, bool newProcessGroup, int outputFd = -1)
    {
        if (state.Status != ContainerStatus.Running || !state.Process.IsAlive)
            throw new ContainerStateException($"container {state.Name} is not running");
        var fds = OpenNamespaces();
        var pid = 0;
        ExceptionDispatchInfo? failure = null;
        Run.Isolation.ThreadLockdown lockdown;
        ExecCgroupGate? gate;
        try
        {
            lockdown = spec.Security.Prepare(); // reads the seccomp program while host paths are reachable
            gate = spec.CgroupDirectories.Count > 0 ? new ExecCgroupGate($"/proc/self/fd/{fds["root"]}", spec.CgroupDirectories) : null;
        }
        catch
        {
            foreach (var fd in fds.Values) Close(fd);
            throw;
        }
        var thread = new Thread(() =>
        {
            try
            {
                pid = Enter(fds, request, newProcessGroup, outputFd, lockdown, gate);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }) { Name = "container-exec" };
        try
        {
            thread.Start();
            thread.Join();
        }
        finally
        {
            gate?.Dispose();
            foreach (var fd in fds.Values) Close(fd);
        }
        if (failure is not null && terminalFd >= 0)
        {
            Close(terminalFd);
            terminalFd = -1;
        }
        failure?.Throw();
        return pid;
    }

    /// <summary>Opens the container's namespaces and root, then checks the pid still names the container's process.</summary>
    private Dictionary<string, int> OpenNamespaces()
    {
        var fds = new Dictionary<string, int>();
        var names = Namespaces.Select(n => n.Name).Append("pid").Append("root");
        foreach (var name in spec.UserNamespace is null ? names : names.Append("user"))
        {
            var path = name == "root" ? $"/proc/{state.Pid}/root" : $"/proc/{state.Pid}/ns/{name}";
            var fd = OpenAt(AtFdCwd, path, ORdOnly | OCloExec, 0);
            if (fd < 0)
            {
                foreach (var open in fds.Values) Close(open);
                throw new ContainerStateException($"container {state.Name} is not running ({path}: {ErrorText(LastError)})");
            }
            fds[name] = fd;
        }
        if (!state.Process.IsAlive)
        {
            foreach (var open in fds.Values) Close(open);
            throw new ContainerStateException($"container {state.Name} is not running");
        }
        return fds;
    }

    private int Enter(Dictionary<string, int> fds, ExecRequest request, bool newProcessGroup, int outputFd, Run.Isolation.ThreadLockdown lockdown,
        ExecCgroupGate? gate)
    {
        ContainerSetupException.Check(Unshare(CloneFs), "unshare CLONE_FS"); // root, cwd and umask become this thread's own
        foreach (var (name, type) in Namespaces)
            if (name != "net" || state.Network != "host")
                ContainerSetupException.Check(Setns(fds[name], type), $"join the container's {name} namespace");
        ContainerSetupException.Check(Fchdir(fds["root"]), "enter the container's root");
        ContainerSetupException.Check(Chroot("."), "chroot into the container's root");
        ContainerSetupException.Check(Chdir("/"), "chdir /");
        Umask(0x12);

        var user = ContainerUser.Resolve(request.User ?? spec.User);
        var env = spec.Env.Where(e => !request.Env.Any(o => SameKey(o, e))).Concat(request.Env).ToList();
        if (!env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal))) env.Add($"HOME={user.Home}");
        var workingDir = request.WorkingDir ?? spec.WorkingDir;
        ContainerSetupException.Check(Chdir(workingDir), $"chdir {workingDir}");
        var path = ProcessStart.FindExecutable(request.Args[0], env);
        var terminal = request.Tty ? ContainerTerminal.OpenInCurrentRoot() : null;
        terminalFd = terminal?.MasterFd ?? -1;
        terminal?.GiveTo(spec.UserNamespace is { } range ? user with { Uid = range.HostUid + user.Uid, Gid = range.HostGid + user.Gid } : user);

        ContainerSetupException.Check(Setns(fds["pid"], CloneNewPid), "join the container's PID namespace"); // for the child
        // In a user namespace the child applies the profile itself, after joining it; else it inherits this thread's.
        using var userNamespace = spec.UserNamespace is null ? null : lockdown.ForUserNamespace(fds["user"], user);
        if (userNamespace is null) lockdown.Apply(user); // the container's capabilities, no_new_privs and seccomp filter; last, the child inherits them
        gate?.ExpectChild();
        var pid = 0;
        var nullStdin = !request.Interactive && terminal is null;
        try
        {
            pid = userNamespace is not null
                ? userNamespace.Spawn(path, request.Args, env, newProcessGroup, gate?.GatePath, nullStdin, outputFd, terminal?.SlavePath)
                : ProcessStart.Spawn(path, request.Args, env, newProcessGroup, gate?.GatePath, nullStdin, outputFd, terminal: terminal?.SlavePath);
        }
        finally
        {
            gate?.ChildStarted();
        }
        gate?.ThrowIfFailed(pid);
        return pid;
    }

    private static bool SameKey(string a, string b) => a.Split('=', 2)[0] == b.Split('=', 2)[0];
}
