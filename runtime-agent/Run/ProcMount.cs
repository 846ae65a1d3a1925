using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// The container's /proc, made with the new mount API so that the caller need not be inside the container's
/// PID namespace: procfs's <c>pidns=</c> option (Linux 6.15) names it by a namespace descriptor. That is what
/// lets the agent start the command directly, with no second process in between (docs/decisions/002).
/// </summary>
internal static class ProcMount
{
    // Kernel knobs a container must not change even as root; read-only like Docker and runc do.
    private static readonly string[] ReadOnlyPaths = ["bus", "fs", "irq", "sys", "sysrq-trigger"];

    private static readonly Lazy<bool> PidNamespaceOption = new(ProbePidNamespaceOption);

    /// <summary>Whether this kernel's procfs takes <c>pidns=</c> (probed once with a mount context that is never created).</summary>
    public static bool SupportsPidNamespaceOption => PidNamespaceOption.Value;

    /// <summary>
    /// Mounts a new procfs on the directory <paramref name="procDirFd"/> (nosuid, nodev, noexec) showing the
    /// PID namespace <paramref name="pidNamespaceFd"/>, or the caller's own when it is null, then makes the
    /// kernel knobs below it read-only and masks the host's kernel state, covering files with
    /// <paramref name="maskWithNullFd"/> (the container's /dev/null); null leaves /proc as it is (--privileged).
    /// </summary>
    public static void Attach(int procDirFd, int? pidNamespaceFd, int? maskWithNullFd)
    {
        var fs = Check(Fsopen("proc"), "fsopen proc");
        var mount = -1;
        try
        {
            if (pidNamespaceFd is { } ns) Check(Fsconfig(fs, FsconfigSetFd, "pidns", null, ns), "procfs pidns=");
            Check(Fsconfig(fs, FsconfigCmdCreate, null, null, 0), "create procfs");
            mount = Check(Fsmount(fs, MountAttrNosuid | MountAttrNodev | MountAttrNoexec), "fsmount proc");
            Check(MoveMount(mount, "", procDirFd, "", MoveMountFEmptyPath | MoveMountTEmptyPath), "mount /proc");
            if (maskWithNullFd is not { } nullFd) return; // --privileged: the kernel's knobs as they are
            foreach (var name in ReadOnlyPaths) MakeReadOnly(mount, name);
            Isolation.KernelPathMasks.MaskProc(mount, nullFd);
        }
        finally
        {
            if (mount >= 0) Close(mount);
            Close(fs);
        }
    }

    /// <summary>Binds /proc/NAME onto itself read-only (a clone of the subtree, set read-only, moved back over it).</summary>
    private static void MakeReadOnly(int procFd, string name)
    {
        var tree = OpenTree(procFd, name, OpenTreeClone | AtRecursive | (uint)OCloExec);
        if (tree < 0 && LastError == ENoEnt) return; // not every kernel has every knob
        Check(tree, $"open /proc/{name}");
        try
        {
            Check(MountSetAttributes(tree, MountAttrRdonly | MountAttrNosuid | MountAttrNodev | MountAttrNoexec), $"make /proc/{name} read-only");
            Check(MoveMount(tree, "", procFd, name, MoveMountFEmptyPath), $"mount /proc/{name}");
        }
        finally
        {
            Close(tree);
        }
    }

    private static bool ProbePidNamespaceOption()
    {
        var fs = Fsopen("proc");
        if (fs < 0) return false;
        try
        {
            // EPERM: the option is known, but this process may not name its own PID namespace (a rootless agent does not
            // own the host's); the container's, made below its user namespace, it may. An old kernel says EINVAL.
            return Fsconfig(fs, FsconfigSetString, "pidns", "/proc/self/ns/pid", 0) == 0 || LastError == EPerm;
        }
        finally
        {
            Close(fs);
        }
    }

    private static int Check(int result, string what) => ContainerSetupException.Check(result, what);
}
