using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// The kernel filesystems and volumes a container expects, mounted into the overlay root before pivot_root.
/// /proc is not among them: it must show the container's PID namespace, which exists only once its first
/// process does (<see cref="ProcMount"/>).
/// </summary>
internal static class SystemMounts
{
    private const ulong Hardened = MsNosuid | MsNodev | MsNoexec;

    public static void MountAll(ContainerRoot root, ContainerSpec spec)
    {
        root.Target("/proc"); // the mount point, created if the image lacks it
        Mount("sysfs", root.Target("/sys"), "sysfs", Hardened | MsRdonly, null);
        if (spec.Security.MaskKernelPaths) Isolation.KernelPathMasks.MaskSys(root);
        DevSetup.Populate(root);
        if (spec.TmpfsOnTmp) Mount("tmpfs", root.Target("/tmp"), "tmpfs", MsNosuid | MsNodev, "mode=1777");
        foreach (var volume in spec.Volumes) Bind(root, volume);
        foreach (var tmpfs in spec.Tmpfs) Mount("tmpfs", root.Target(tmpfs.ContainerPath), "tmpfs", tmpfs.Flags, tmpfs.Data);
    }

    /// <summary>
    /// The root's own mount flags: nodev (the kernel overlay is mounted so already; other snapshotters bind their
    /// tree) and, with --read-only, read-only. /dev, /tmp, volumes and tmpfs mounts keep their own flags.
    /// </summary>
    public static void RestrictRoot(string rootFs, bool readOnly) =>
        Mount(null, rootFs, null, MsBind | MsRemount | MsNodev | (readOnly ? MsRdonly : 0), null);

    private static void Bind(ContainerRoot root, VolumeMount volume)
    {
        var target = Directory.Exists(volume.HostPath) ? root.Target(volume.ContainerPath) : root.FileTarget(volume.ContainerPath);
        Mount(volume.HostPath, target, null, MsBind | MsRec, null);
        // A bind takes the source's flags; nodev (no device node made in a volume opens) and read-only need a
        // second, remounting call.
        Mount(null, root.Target(volume.ContainerPath), null, MsBind | MsRemount | MsNodev | (volume.ReadOnly ? MsRdonly : 0), null);
    }

    public static void Mount(string? source, string target, string? type, ulong flags, string? data) =>
        ContainerSetupException.Check(Native.Libc.Mount(source, target, type, flags, data), $"mount {type ?? source ?? "(remount)"} on {target}");
}
