using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// A minimal /dev on a fresh tmpfs: the standard character devices, a private devpts instance (so the
/// container sees only its own terminals), /dev/shm, /dev/mqueue and the /proc/self/fd links.
/// </summary>
internal static class DevSetup
{
    private const uint CharDevice = 0x2000, ReadWriteAll = 0x1b6 /* 0666 */;

    private static readonly (string Name, int Major, int Minor)[] Devices =
        [("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0)];

    private static readonly (string Link, string Target)[] Links =
        [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
         ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx")];

    /// <summary>Mounts and fills /dev; the caller has set umask 0 so the modes below are exact.</summary>
    public static void Populate(ContainerRoot root)
    {
        SystemMounts.Mount("tmpfs", root.Target("/dev"), "tmpfs", MsNosuid | MsStrictatime, "mode=755,size=65536k");
        var dev = root.DirectoryFd("/dev");
        foreach (var (name, major, minor) in Devices)
            ContainerSetupException.Check(MknodAt(dev, name, CharDevice | ReadWriteAll, MakeDevice(major, minor)), $"mknod /dev/{name}");
        foreach (var (link, target) in Links)
            ContainerSetupException.Check(SymlinkAt(target, dev, link), $"symlink /dev/{link}");

        SystemMounts.Mount("devpts", root.Target("/dev/pts"), "devpts", MsNosuid | MsNoexec,
            "newinstance,ptmxmode=0666,mode=0620,gid=5");
        SystemMounts.Mount("shm", root.Target("/dev/shm"), "tmpfs", MsNosuid | MsNodev | MsNoexec, "mode=1777,size=65536k");
        SystemMounts.Mount("mqueue", root.Target("/dev/mqueue"), "mqueue", MsNosuid | MsNodev | MsNoexec, null);
    }
}
