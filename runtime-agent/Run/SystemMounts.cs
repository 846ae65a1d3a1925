using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>The kernel filesystems and volumes a container expects, mounted into the overlay root before pivot_root.</summary>
internal static class SystemMounts
{
    private const ulong Hardened = MsNosuid | MsNodev | MsNoexec;

    // Kernel knobs a container must not change even as root; read-only like Docker and runc do.
    private static readonly string[] ReadOnlyProcPaths = ["bus", "fs", "irq", "sys", "sysrq-trigger"];

    public static void MountAll(ContainerRoot root, ContainerSpec spec)
    {
        Mount("proc", root.Target("/proc"), "proc", Hardened, null);
        foreach (var path in ReadOnlyProcPaths) ReadOnlyProc(root, path);
        Mount("sysfs", root.Target("/sys"), "sysfs", Hardened | MsRdonly, null);
        DevSetup.Populate(root);
        Mount("tmpfs", root.Target("/tmp"), "tmpfs", MsNosuid | MsNodev, "mode=1777");
        foreach (var volume in spec.Volumes) Bind(root, volume);
    }

    private static void ReadOnlyProc(ContainerRoot root, string name)
    {
        if (!Path.Exists($"/proc/{name}")) return;
        var path = Path.Join("/proc", name);
        var target = root.Target(path);
        Mount(target, target, null, MsBind | MsRec, null);
        // The old descriptor names what is under the new mount; resolve again to remount the bind itself.
        Mount(null, root.Target(path), null, MsBind | MsRemount | MsRdonly | Hardened, null);
    }

    private static void Bind(ContainerRoot root, VolumeMount volume)
    {
        var target = Directory.Exists(volume.HostPath) ? root.Target(volume.ContainerPath) : root.FileTarget(volume.ContainerPath);
        Mount(volume.HostPath, target, null, MsBind | MsRec, null);
        // A bind takes the source's flags; read-only needs a second, remounting call.
        if (volume.ReadOnly) Mount(null, root.Target(volume.ContainerPath), null, MsBind | MsRemount | MsRdonly, null);
    }

    public static void Mount(string? source, string target, string? type, ulong flags, string? data) =>
        ContainerSetupException.Check(Native.Libc.Mount(source, target, type, flags, data), $"mount {type ?? source ?? "(remount)"} on {target}");
}
