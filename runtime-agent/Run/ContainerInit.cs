using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// <c>init SPEC</c>: PID 1 of a container started through a second process (<c>--init</c>, or a kernel whose
/// procfs lacks <c>pidns=</c>; see <see cref="NamespaceSetup"/>). The root is already built in this mount
/// namespace; init mounts /proc for its own PID namespace, pivots, drops to the container's user and execs
/// the command, or with --init stays as the reaper.
/// </summary>
internal static class ContainerInit
{
    public static int Run(string specPath)
    {
        var spec = ContainerSpec.Load(specPath);
        using (var root = new ContainerRoot(spec.RootFs))
        {
            var procDir = root.OpenDirectory("/proc");
            try
            {
                ProcMount.Attach(procDir, pidNamespaceFd: null);
            }
            finally
            {
                Close(procDir);
            }
        }
        var command = ContainerEntry.Enter(spec);
        ContainerEntry.DropTo(command.User);
        if (spec.ReapZombies) return Reaper.Run(command.Path, command.Args, command.Env);
        ProcessStart.Exec(command.Path, command.Args, command.Env);
        return 125; // not reached: Exec returns only by throwing
    }
}
