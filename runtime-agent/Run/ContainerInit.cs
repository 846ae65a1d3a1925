using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// <c>init SPEC</c>: PID 1 of a container started through a second process (<c>--init</c>, or a kernel whose
/// procfs lacks <c>pidns=</c>; see <see cref="NamespaceSetup"/>). The root is already built in this mount
/// namespace; init mounts /proc for its own PID namespace, pivots, becomes the container's user under its
/// security profile and execs the command, or with --init (or a terminal) stays as the reaper (under the same
/// profile), spawning the command on the terminal's slave when there is one.
/// </summary>
internal static class ContainerInit
{
    // A --userns=auto init runs as its range's root, a host id that may not search a 0700 directory above the store.
    private static ContainerSpec Load(string specPath)
    {
        try
        {
            return ContainerSpec.Load(specPath);
        }
        catch (UnauthorizedAccessException)
        {
            throw new ContainerSetupException($"init cannot read {specPath}: permission denied; with --userns=auto the container's root (a " +
                "subordinate id) must be able to search every directory above the store (--root), as it can /tmp and /var/lib", 125);
        }
    }

    public static int Run(string specPath)
    {
        var spec = Load(specPath);
        foreach (var directory in spec.CgroupDirectories) // first: everything init starts is then inside
            Isolation.Cgroups.CgroupFiles.Write(directory, "cgroup.procs", "0", "join the container's cgroup");
        var lockdown = spec.Security.Prepare(); // reads the seccomp program while host paths are reachable
        if (spec.UserNamespace is not null) UserNamespaces.UserNamespaceRoot.Unlock(spec.RootFs);
        using (var root = new ContainerRoot(spec.RootFs))
        {
            var procDir = root.OpenDirectory("/proc");
            try
            {
                ProcMount.Attach(procDir, pidNamespaceFd: null, spec.Security.MaskKernelPaths ? root.TryOpen("/dev/null") : null);
            }
            finally
            {
                Close(procDir);
            }
        }
        var command = ContainerEntry.Enter(spec);
        if (spec.TerminalPath is { } terminal) Terminal.ContainerTerminal.GiveTo(terminal, command.User); // while still root
        lockdown.Apply(command.User);
        if (spec.ReadyFd >= 0) Close(spec.ReadyFd); // in the root now: the launcher may return
        // A terminal needs a new session for the command (setsid, then the slave as its controlling terminal), which
        // exec'ing in place cannot give PID 1 here: init stays and reaps then, as with --init.
        if (spec.ReapZombies || spec.TerminalPath is not null) return Reaper.Run(command.Path, command.Args, command.Env, spec.TerminalPath);
        ProcessStart.Exec(command.Path, command.Args, command.Env);
        return 125; // not reached: Exec returns only by throwing
    }
}
