using System.Runtime.CompilerServices;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>
/// The first process of a container with a user namespace: <c>runtime-agent init SPEC</c>, born by
/// clone(CLONE_NEWUSER | CLONE_NEWPID) from the setup thread. A multi-threaded process can neither unshare nor
/// setns into a user namespace, but it can clone a child into a new one. The child waits on a pipe while the
/// setup thread writes its id maps, idmaps the layers with its namespace and builds the root; then it takes a mount
/// namespace of its own (a copy of that root, owned by its user namespace, so init may mount /proc and pivot),
/// becomes root of its namespace and execs init. Failures before execve come back on a status pipe.
/// </summary>
internal sealed unsafe class UserNamespaceChild : IDisposable
{
    private static readonly string[] Steps = ["", "wait for the setup", "unshare the mount namespace", "setgroups", "setresgid 0", "setresuid 0", "exec"];

    private int goFd, statusFd;
    private bool released;

    private UserNamespaceChild(int pid, int goFd, int statusFd) => (Pid, this.goFd, this.statusFd) = (pid, goFd, statusFd);

    /// <summary>The child's pid in the agent's PID namespace.</summary>
    public int Pid { get; }

    // The child execs the agent as its namespace's root, a host id that may not search the directories on the
    // agent's path (a 0700 home or temp directory); /proc/self/exe names the same file without walking them.
    // inheritFd: a descriptor init keeps across execve (the launcher's ready pipe, ContainerSpec.ReadyFd).
    public static UserNamespaceChild Clone(string agentPath, string specPath, bool newProcessGroup, int inheritFd) =>
        Clone("/proc/self/exe", [agentPath, "init", specPath], [], CloneNewPid, newProcessGroup, inheritFd);

    /// <summary>Clones a child into a new user namespace (and <paramref name="namespaces"/>) that will exec <paramref name="program"/>.</summary>
    public static UserNamespaceChild Clone(string program, IReadOnlyList<string> args, IReadOnlyList<string> env, int namespaces, bool newProcessGroup,
        int inheritFd = -1, bool dropGroups = true)
    {
        using var path = new Utf8Z(program);
        using var argv = new Utf8ZArray(args);
        using var envp = new Utf8ZArray(env);
        var go = stackalloc int[2];
        var status = stackalloc int[2];
        ContainerSetupException.Check(Pipe2(go, OCloExec), "pipe");
        if (Pipe2(status, OCloExec) < 0)
        {
            Close(go[0]); Close(go[1]);
            throw new ContainerSetupException($"pipe: {ErrorText(LastError)}");
        }
        var pid = RawSyscall(SysClone, CloneNewUser | namespaces | SigChld, 0, 0, 0, 0);
        if (pid == 0) ChildMain(go[0], go[1], status[0], status[1], newProcessGroup, inheritFd, dropGroups, path.Pointer, argv.Pointer, envp.Pointer);
        var error = *ErrnoLocation();
        Close(go[0]);
        Close(status[1]);
        if (pid < 0)
        {
            Close(go[1]); Close(status[0]);
            throw new ContainerSetupException($"clone a user namespace: {ErrorText(error)}");
        }
        return new UserNamespaceChild((int)pid, go[1], status[0]);
    }

    /// <summary>Writes the child's uid and gid maps (before it may use them: it still waits).</summary>
    public void MapIds(IdRange range)
    {
        File.WriteAllText($"/proc/{Pid}/uid_map", range.UidMap);
        File.WriteAllText($"/proc/{Pid}/gid_map", range.GidMap);
    }

    /// <summary>A descriptor of the child's user namespace (for idmapped mounts); the caller closes it.</summary>
    public int OpenUserNamespace() =>
        ContainerSetupException.Check(OpenAt(AtFdCwd, $"/proc/{Pid}/ns/user", ORdOnly | OCloExec, 0), "open the container's user namespace");

    /// <summary>Lets the child go on to exec init; throws what it reports if it fails before execve.</summary>
    public void Release()
    {
        released = true;
        byte go = 1;
        Write(goFd, &go, 1);
        Close(goFd);
        goFd = -1;
        if (ChildStatusPipe.ReadFailure(statusFd) is { } failure)
        {
            ProcessStart.Wait(Pid);
            throw new ContainerSetupException($"start the container in its user namespace: {Steps[failure.Step]}: {ErrorText(failure.Errno)}");
        }
    }

    public void Dispose()
    {
        if (!released)
        {
            Kill(Pid, SigKill);
            ProcessStart.Wait(Pid);
        }
        if (goFd >= 0) Close(goFd);
        if (statusFd >= 0) Close(statusFd);
        goFd = statusFd = -1;
    }

    // The child: a copy of the setup thread alone. Only raw system calls from here to execve — no allocation, no
    // runtime code, no return to managed callers (another thread may have held a lock or started a GC at the clone).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ChildMain(int goRead, int goWrite, int statusRead, int statusWrite, bool newProcessGroup, int inheritFd, bool dropGroups,
        byte* path, byte** argv, byte** envp)
    {
        RawSyscall(SysClose, goWrite, 0, 0, 0, 0);
        RawSyscall(SysClose, statusRead, 0, 0, 0, 0);
        if (inheritFd >= 0) RawSyscall(SysFcntlCall, inheritFd, 2 /* F_SETFD */, 0, 0, 0); // no FD_CLOEXEC
        byte go = 0;
        if (RawSyscall(SysRead, goRead, (nint)(&go), 1, 0, 0) != 1) ChildStatusPipe.Fail(statusWrite, 1);
        if (newProcessGroup) RawSyscall(SysSetpgid, 0, 0, 0, 0, 0);
        ulong noSignals = 0;
        RawSyscall(SysRtSigprocmaskCall, 2 /* SIG_SETMASK */, (nint)(&noSignals), 0, 8, 0);
        if (RawSyscall(SysUnshare, CloneNewNs, 0, 0, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 2);
        // dropGroups false: setgroups is denied in a namespace whose maps its unprivileged owner wrote itself.
        if (dropGroups && RawSyscall(SysSetgroupsCall, 0, 0, 0, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 3);
        if (RawSyscall(SysSetresgidCall, 0, 0, 0, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 4);
        if (RawSyscall(SysSetresuidCall, 0, 0, 0, 0, 0) < 0) ChildStatusPipe.Fail(statusWrite, 5);
        RawSyscall(SysExecve, (nint)path, (nint)argv, (nint)envp, 0, 0);
        ChildStatusPipe.Fail(statusWrite, 6);
    }
}
