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
        MountSys(root, spec);
        if (spec.Security.MaskKernelPaths) Isolation.KernelPathMasks.MaskSys(root);
        DevSetup.Populate(root);
        if (spec.TmpfsOnTmp) Mount("tmpfs", root.Target("/tmp"), "tmpfs", MsNosuid | MsNodev, "mode=1777");
        foreach (var volume in spec.Volumes) Bind(root, volume);
        foreach (var tmpfs in spec.Tmpfs) Mount("tmpfs", root.Target(tmpfs.ContainerPath), "tmpfs", tmpfs.Flags, tmpfs.Data);
    }

    /// <summary>
    /// A sysfs shows the network namespace it is mounted in, and only that namespace's owner may mount it: a rootless
    /// agent sharing the host's network (build's RUN steps, <c>--net host</c>) binds the host's /sys instead, read-only,
    /// as rootless podman does.
    /// </summary>
    private static void MountSys(ContainerRoot root, ContainerSpec spec)
    {
        if (!(UserNamespaces.RootlessMode.Active && !spec.PrivateNetwork && spec.NetworkNamespace is null))
        {
            Mount("sysfs", root.Target("/sys"), "sysfs", Hardened | MsRdonly, null);
            return;
        }
        Mount("/sys", root.Target("/sys"), null, MsBind | MsRec, null);
        Mount(null, root.Target("/sys"), null, MsBind | MsRemount | Hardened | MsRdonly, null); // resolved again: the bind's root
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
