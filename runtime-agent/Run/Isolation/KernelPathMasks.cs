using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.Isolation;

/// <summary>
/// Hides the /proc and /sys files that show or change the host's kernel rather than the container's: a file is
/// covered with /dev/null, a directory with an empty read-only tmpfs (what runc and podman do). The read-only
/// /proc knobs are <see cref="ProcMount"/>'s; these are the paths that are not even readable.
/// </summary>
internal static class KernelPathMasks
{
    // Kernel memory, other containers' keys, host timers and scheduler internals, hardware and its firmware.
    private static readonly string[] ProcFiles = ["kcore", "keys", "latency_stats", "timer_list", "timer_stats", "sched_debug"];
    private static readonly string[] ProcDirectories = ["acpi", "asound", "scsi"];
    // Firmware tables and variables; RAPL energy counters (the "Platypus" side channel, CVE-2020-8694).
    public static readonly string[] SysDirectories = ["/sys/firmware", "/sys/devices/virtual/powercap"];

    /// <summary>Masks below an attached procfs (<paramref name="procFd"/>, its mount), covering files with <paramref name="nullFd"/>.</summary>
    public static void MaskProc(int procFd, int nullFd)
    {
        // Not every kernel has every path, and a missing one needs no mask. Looked up first: a mask made and then closed
        // unattached is dissolved by the kernel, an unmount each (4 files and 2 directories on the machine measured).
        foreach (var name in ProcFiles)
            if (Exists(procFd, name)) Cover(OpenTree(nullFd, "", OpenTreeClone | AtEmptyPath | (uint)OCloExec), procFd, name, "/dev/null");
        // One tmpfs each: cloning a detached mount (open_tree) is refused before Linux 6.15.
        foreach (var name in ProcDirectories)
            if (Exists(procFd, name)) Cover(EmptyReadOnlyTmpfs(), procFd, name, "an empty tmpfs");
    }

    /// <summary>Masks the sysfs directories that exist on this host, below the container's root.</summary>
    public static void MaskSys(ContainerRoot root)
    {
        foreach (var path in SysDirectories)
        {
            var fd = root.TryOpen(path);
            if (fd >= 0) SystemMounts.Mount("tmpfs", $"/proc/self/fd/{fd}", "tmpfs", MsRdonly | MsNosuid | MsNodev | MsNoexec, "size=0,mode=555");
        }
    }

    private static bool Exists(int procFd, string name) => FstatAt(procFd, name, out _, AtSymlinkNoFollow) == 0 || LastError != ENoEnt;

    private static void Cover(int tree, int procFd, string name, string what)
    {
        ContainerSetupException.Check(tree, $"clone {what} to mask /proc/{name}");
        try
        {
            // Not every kernel has every path: a missing one needs no mask.
            if (MoveMount(tree, "", procFd, name, MoveMountFEmptyPath) < 0 && LastError != ENoEnt)
                ContainerSetupException.Check(-1, $"mask /proc/{name}");
        }
        finally
        {
            Close(tree);
        }
    }

    private static int EmptyReadOnlyTmpfs()
    {
        var fs = ContainerSetupException.Check(Fsopen("tmpfs"), "fsopen tmpfs");
        try
        {
            ContainerSetupException.Check(Fsconfig(fs, FsconfigSetString, "size", "0", 0), "tmpfs size=0");
            ContainerSetupException.Check(Fsconfig(fs, FsconfigCmdCreate, null, null, 0), "create the masking tmpfs");
            return Fsmount(fs, MountAttrRdonly | MountAttrNosuid | MountAttrNodev | MountAttrNoexec); // checked by Cover
        }
        finally
        {
            Close(fs);
        }
    }
}
