using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>
/// Starts a command inside a running <c>--userns=auto</c> container (<c>exec</c>, and so health checks). The exec
/// thread has joined the container's other namespaces and root, but a multi-threaded process may not setns into a
/// user namespace, and a process that joins one gets every capability in it — so the container's security profile
/// must be applied after the join, not inherited from the thread as for a container without one. The thread forks a
/// child with a raw clone; the child (a copy of that thread alone, running only raw system calls on memory prepared
/// here, like <see cref="UserNamespaceChild"/>) waits at the cgroup gate, sets up its stdio, joins the user namespace,
/// applies the profile in <see cref="ThreadLockdown"/>'s order (bounding set, seccomp, user, ambient set,
/// no_new_privs, seccomp) and execs the command. Failures before execve come back on a status pipe.
/// </summary>
internal sealed unsafe class UserNamespaceExec : IDisposable
{
    private static readonly string[] Steps = ["", "wait at the cgroup gate", "set up stdio", "join the user namespace",
        "drop capabilities from the bounding set", "load the seccomp filter", "setgroups", "setgid", "setuid", "clear the ambient capabilities",
        "set no_new_privs", "exec"];
    private const int StepExec = 11;

    private readonly List<IDisposable> _native = [];
    private readonly nint _groups, _seccomp;

    /// <param name="userNamespaceFd">The container's user namespace (open until <see cref="Spawn"/> returns).</param>
    /// <param name="profile">The container's security profile; <paramref name="seccompProgram"/> its compiled filter or null.</param>
    public UserNamespaceExec(int userNamespaceFd, Isolation.SecurityProfile profile, byte[]? seccompProgram, ContainerUser user)
    {
        UserNamespaceFd = userNamespaceFd;
        (Capabilities, NoNewPrivileges, User) = (profile.Capabilities, profile.NoNewPrivileges, user);
        _groups = (nint)NativeMemory.Alloc((nuint)Math.Max(1, user.SupplementaryGroups.Length), sizeof(uint));
        for (var i = 0; i < user.SupplementaryGroups.Length; i++) ((uint*)_groups)[i] = user.SupplementaryGroups[i];
        if (seccompProgram is null) return;
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; } followed by the instructions.
        _seccomp = (nint)NativeMemory.Alloc((nuint)(16 + seccompProgram.Length));
        ((nint*)_seccomp)[0] = seccompProgram.Length / 8;
        ((nint*)_seccomp)[1] = _seccomp + 16;
        seccompProgram.CopyTo(new Span<byte>((byte*)_seccomp + 16, seccompProgram.Length));
    }

    private int UserNamespaceFd { get; }
    private ulong Capabilities { get; }
    private bool NoNewPrivileges { get; }
    private ContainerUser User { get; }

    /// <summary>Forks the command (see <see cref="ProcessStart.Spawn"/> for the stdio options); returns its pid once it has exec'd.</summary>
    public int Spawn(string path, IReadOnlyList<string> args, IReadOnlyList<string> env, bool newProcessGroup, string? gate, bool nullStdin, int outputFd,
        string? terminal)
    {
        var file = Native(new Utf8Z(path));
        var argv = Native(new Utf8ZArray(args));
        var envp = Native(new Utf8ZArray(env));
        var gatePath = gate is null ? null : Native(new Utf8Z(gate));
        var arrivalPath = gate is null ? null : Native(new Utf8Z(StartGate.ArrivalPath(gate)));
        var stdinPath = terminal is not null ? Native(new Utf8Z(terminal)) : nullStdin ? Native(new Utf8Z("/dev/null")) : null;
        var setup = new ChildSetup
        {
            Path = file.Pointer, Argv = argv.Pointer, Envp = envp.Pointer,
            Arrival = arrivalPath is null ? null : arrivalPath.Pointer, Gate = gatePath is null ? null : gatePath.Pointer,
            Stdin = stdinPath is null ? null : stdinPath.Pointer, StdinIsTerminal = terminal is not null, OutputFd = outputFd,
            NewProcessGroup = newProcessGroup, UserNamespaceFd = UserNamespaceFd, Capabilities = Capabilities, NoNewPrivileges = NoNewPrivileges,
            Seccomp = _seccomp, Groups = (uint*)_groups, GroupCount = User.SupplementaryGroups.Length, Uid = User.Uid, Gid = User.Gid,
        };
        var status = stackalloc int[2];
        ContainerSetupException.Check(Pipe2(status, OCloExec), "pipe");
        var pid = RawSyscall(SysClone, SigChld, 0, 0, 0, 0);
        if (pid == 0) ChildMain(status[0], status[1], &setup);
        var error = *ErrnoLocation();
        Close(status[1]);
        try
        {
            if (pid < 0) throw new ContainerSetupException($"fork the exec'd process: {ErrorText(error)}");
            if (ChildStatusPipe.ReadFailure(status[0]) is not { } failure) return (int)pid;
            var (step, errno) = failure;
            ProcessStart.Wait((int)pid);
            if (step == StepExec) throw new ContainerSetupException($"exec {path}: {ErrorText(errno)}", errno is ENoEnt or ENotDir ? 127 : 126);
            throw new ContainerSetupException($"exec in the container's user namespace: {Steps[step]}: {ErrorText(errno)}");
        }
        finally
        {
            Close(status[0]);
        }
    }

    private T Native<T>(T item) where T : IDisposable
    {
        _native.Add(item);
        return item;
    }

    public void Dispose()
    {
        _native.ForEach(n => n.Dispose());
        _native.Clear();
        NativeMemory.Free((void*)_groups);
        if (_seccomp != 0) NativeMemory.Free((void*)_seccomp);
    }

    private struct ChildSetup
    {
        public byte* Path, Arrival, Gate, Stdin;
        public byte** Argv, Envp;
        public bool StdinIsTerminal, NewProcessGroup, NoNewPrivileges;
        public int OutputFd, UserNamespaceFd, GroupCount;
        public ulong Capabilities;
        public nint Seccomp;
        public uint* Groups;
        public uint Uid, Gid;
    }

    // The child: no allocation, no runtime code, no return (see UserNamespaceChild.ChildMain).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ChildMain(int statusRead, int statusWrite, ChildSetup* s)
    {
        RawSyscall(SysClose, statusRead, 0, 0, 0, 0);
        if (s->Gate != null)
        {
            // As ProcessStart.Spawn's file actions: announce the arrival, then block until the cgroup is joined.
            var arrival = RawSyscall(SysOpenatCall, AtFdCwd, (nint)s->Arrival, OWrOnly | OCloExec, 0, 0);
            if (arrival < 0) ChildStatusPipe.Fail(statusWrite, 1);
            RawSyscall(SysClose, (nint)arrival, 0, 0, 0, 0);
            var gate = RawSyscall(SysOpenatCall, AtFdCwd, (nint)s->Gate, ORdOnly | OCloExec, 0, 0);
            if (gate < 0) ChildStatusPipe.Fail(statusWrite, 1);
            RawSyscall(SysClose, (nint)gate, 0, 0, 0, 0);
        }
        // A session leader is already its group's leader, so a terminal excludes a new group; opening the terminal
        // as the new session's leader makes it the controlling terminal.
        if (s->StdinIsTerminal) RawSyscall(SysSetsidCall, 0, 0, 0, 0, 0);
        else if (s->NewProcessGroup) RawSyscall(SysSetpgid, 0, 0, 0, 0, 0);
        if (s->Stdin != null)
        {
            var fd = RawSyscall(SysOpenatCall, AtFdCwd, (nint)s->Stdin, s->StdinIsTerminal ? ORdWr : ORdOnly, 0, 0);
            if (fd < 0) ChildStatusPipe.Fail(statusWrite, 2);
            RawSyscall(SysDup2Call, (nint)fd, 0, 0, 0, 0);
            if (s->StdinIsTerminal) { RawSyscall(SysDup2Call, (nint)fd, 1, 0, 0, 0); RawSyscall(SysDup2Call, (nint)fd, 2, 0, 0, 0); }
            if (fd > 2) RawSyscall(SysClose, (nint)fd, 0, 0, 0, 0);
        }
        if (s->OutputFd >= 0) { RawSyscall(SysDup2Call, s->OutputFd, 1, 0, 0, 0); RawSyscall(SysDup2Call, s->OutputFd, 2, 0, 0, 0); }
        // Joining gives every capability in the namespace and a full bounding set: the profile is applied after it.
        if (RawSyscall(SysSetnsCall, s->UserNamespaceFd, CloneNewUser, 0, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 3);
        for (var cap = 0; cap < 64; cap++)
        {
            if ((s->Capabilities & (1UL << cap)) != 0) continue;
            if (RawSyscall(SysPrctlCall, PrCapbsetDrop, cap, 0, 0, 0) == 0) continue;
            if (*ErrnoLocation() == EInval) break; // past the last capability this kernel knows
            ChildStatusPipe.Fail(statusWrite, 4);
        }
        if (!s->NoNewPrivileges && s->Seccomp != 0 && RawSyscall(SysSeccompCall, 1 /* SET_MODE_FILTER */, 0, s->Seccomp, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 5);
        // Leaving uid 0 of the host clears the permitted and effective sets; execve gives a root user the bounding set back.
        if (RawSyscall(SysSetgroupsCall, s->GroupCount, (nint)s->Groups, 0, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 6);
        if (RawSyscall(SysSetresgidCall, (nint)s->Gid, (nint)s->Gid, (nint)s->Gid, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 7);
        if (RawSyscall(SysSetresuidCall, (nint)s->Uid, (nint)s->Uid, (nint)s->Uid, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 8);
        if (RawSyscall(SysPrctlCall, PrCapAmbient, PrCapAmbientClearAll, 0, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 9);
        if (s->NoNewPrivileges)
        {
            if (RawSyscall(SysPrctlCall, PrSetNoNewPrivs, 1, 0, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 10);
            if (s->Seccomp != 0 && RawSyscall(SysSeccompCall, 1, 0, s->Seccomp, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 5);
        }
        // .NET ignores SIGPIPE and blocks signals on its threads; both would survive execve.
        var defaultAction = stackalloc ulong[4];
        defaultAction[0] = defaultAction[1] = defaultAction[2] = defaultAction[3] = 0;
        for (var signal = 1; signal <= 64; signal++)
            if (signal is not SigKill and not SigStop) RawSyscall(SysRtSigactionCall, signal, (nint)defaultAction, 0, 8, 0);
        ulong noSignals = 0;
        RawSyscall(SysRtSigprocmaskCall, 2 /* SIG_SETMASK */, (nint)(&noSignals), 0, 8, 0);
        RawSyscall(SysExecve, (nint)s->Path, (nint)s->Argv, (nint)s->Envp, 0, 0);
        ChildStatusPipe.Fail(statusWrite, StepExec);
    }
}
