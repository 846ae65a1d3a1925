using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// A minimal /dev: the standard character devices, a private devpts instance (so the container sees only its own
/// terminals), /dev/shm, /dev/mqueue and the /proc/self/fd links. /dev itself is a nodev tmpfs, as is every other
/// filesystem of the container, so a device node the container makes with mknod (a host disk, say) cannot be
/// opened, whatever its capabilities. The standard nodes are made while the fresh /dev still allows devices, a bind
/// mount of each is cloned (a clone keeps the flags it was cloned with), /dev is remounted nodev, and each clone is
/// mounted over its own node. (It used to stage the nodes on a second tmpfs and detach that again: one more
/// superblock and an unmount per run.) The nodes are the container's own: a chmod of its /dev/null reaches no host file.
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
        var dev = root.DirectoryFd("/dev"); // the tmpfs's root, not the directory below it
        var nodes = UserNamespaces.RootlessMode.Active ? CloneHostDeviceNodes() : MakeDeviceNodes(dev);
        try
        {
            SystemMounts.Mount(null, $"/proc/self/fd/{dev}", null, MsBind | MsRemount | MsNosuid | MsNodev, null);
            for (var i = 0; i < Devices.Length; i++)
            {
                var name = Devices[i].Name;
                if (UserNamespaces.RootlessMode.Active) // the host's node is bound over an empty file
                    Close(ContainerSetupException.Check(OpenAt(dev, name, OCreat | OExcl | OCloExec | OWrOnly, ReadWriteAll), $"create /dev/{name}"));
                ContainerSetupException.Check(MoveMount(nodes[i], "", dev, name, MoveMountFEmptyPath), $"mount /dev/{name}");
            }
            foreach (var (link, target) in Links)
                ContainerSetupException.Check(SymlinkAt(target, dev, link), $"symlink /dev/{link}");
        }
        finally
        {
            foreach (var node in nodes) Close(node);
        }

        SystemMounts.Mount("devpts", root.Target("/dev/pts"), "devpts", MsNosuid | MsNoexec,
            "newinstance,ptmxmode=0666,mode=0620,gid=5");
        SystemMounts.Mount("shm", root.Target("/dev/shm"), "tmpfs", MsNosuid | MsNodev | MsNoexec, "mode=1777,size=65536k");
        SystemMounts.Mount("mqueue", root.Target("/dev/mqueue"), "mqueue", MsNosuid | MsNodev | MsNoexec, null);
    }

    /// <summary>
    /// Makes the standard nodes in /dev (still mounted with devices allowed) and clones one bind mount of each
    /// (open_tree); returns the clones, in <see cref="Devices"/> order.
    /// </summary>
    private static int[] MakeDeviceNodes(int dev)
    {
        var nodes = new int[Devices.Length];
        Array.Fill(nodes, -1);
        try
        {
            for (var i = 0; i < Devices.Length; i++)
            {
                var (name, major, minor) = Devices[i];
                ContainerSetupException.Check(MknodAt(dev, name, CharDevice | ReadWriteAll, MakeDevice(major, minor)), $"mknod /dev/{name}");
                nodes[i] = ContainerSetupException.Check(OpenTree(dev, name, OpenTreeClone | (uint)OCloExec), $"clone /dev/{name}");
            }
            return nodes;
        }
        catch
        {
            foreach (var node in nodes) if (node >= 0) Close(node);
            throw;
        }
    }

    /// <summary>Rootless: bind clones of the host's own nodes (a user namespace may not make device nodes).</summary>
    private static int[] CloneHostDeviceNodes()
    {
        var nodes = new int[Devices.Length];
        Array.Fill(nodes, -1);
        try
        {
            for (var i = 0; i < Devices.Length; i++)
                nodes[i] = ContainerSetupException.Check(OpenTree(AtFdCwd, $"/dev/{Devices[i].Name}", OpenTreeClone | (uint)OCloExec), $"clone the host's /dev/{Devices[i].Name}");
            return nodes;
        }
        catch
        {
            foreach (var node in nodes) if (node >= 0) Close(node);
            throw;
        }
    }
}
