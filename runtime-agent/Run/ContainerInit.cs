using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// <c>init SPEC</c>: PID 1 of a container started through a second process (<c>--init</c>, or a kernel whose
/// procfs lacks <c>pidns=</c>; see <see cref="NamespaceSetup"/>). The root is already built in this mount
/// namespace; init mounts /proc for its own PID namespace, pivots, becomes the container's user under its
/// security profile and execs the command, or with --init stays as the reaper (under the same profile).
/// </summary>
internal static class ContainerInit
{
    public static int Run(string specPath)
    {
        var spec = ContainerSpec.Load(specPath);
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
        lockdown.Apply(command.User);
        if (spec.ReadyFd >= 0) Close(spec.ReadyFd); // in the root now: the launcher may return
        if (spec.ReapZombies) return Reaper.Run(command.Path, command.Args, command.Env);
        ProcessStart.Exec(command.Path, command.Args, command.Env);
        return 125; // not reached: Exec returns only by throwing
    }
}
