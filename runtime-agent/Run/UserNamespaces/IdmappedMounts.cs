using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>
/// Idmapped mounts (mount_setattr with MOUNT_ATTR_IDMAP): a view of a directory in which a file owned by host id n
/// appears owned by the container's namespace's mapping of n, with no file changed. The shared, read-only layers
/// are seen this way by a container with a user namespace, so root-owned image files are root's inside, and no
/// layer is copied or chowned per container. Everything here runs in the container's mount namespace only.
/// </summary>
internal static class IdmappedMounts
{
    /// <summary>Linux 5.19 is the first whose overlayfs accepts idmapped lower layers (idmapped mounts: 5.12).</summary>
    public static readonly Version MinimumKernel = new(5, 19);

    /// <summary>Refuses, in one line, a kernel too old for idmapped overlay layers (before any container exists).</summary>
    public static void EnsureKernelSupport()
    {
        if (!KernelRelease.AtLeast(MinimumKernel))
            throw new ContainerSetupException(
                $"--userns=auto needs idmapped overlay layers (Linux {MinimumKernel}+); this kernel is {KernelRelease.Name}. Run without --userns", 125);
    }

    /// <summary>Mounts an idmapped view of <paramref name="directory"/> over itself.</summary>
    public static void MapInPlace(string directory, int userNamespaceFd, bool recursive = false) =>
        MapOnto(directory, directory, userNamespaceFd, recursive);

    /// <summary>Mounts an idmapped view of <paramref name="source"/> (and its submounts when recursive) onto <paramref name="target"/>.</summary>
    public static void MapOnto(string source, string target, int userNamespaceFd, bool recursive)
    {
        var tree = OpenTree(AtFdCwd, source, OpenTreeClone | OpenTreeCloexec | (recursive ? AtRecursive : 0));
        ContainerSetupException.Check(tree, $"open_tree {source}");
        try
        {
            if (MountSetIdmap(tree, userNamespaceFd, recursive) < 0)
                throw new ContainerSetupException(
                    $"--userns=auto: cannot idmap {source} ({ErrorText(LastError)}); its filesystem or this kernel does not support idmapped mounts. Run without --userns");
            ContainerSetupException.Check(MoveMount(tree, "", AtFdCwd, target, MoveMountFEmptyPath), $"move_mount the idmapped {source}");
        }
        finally
        {
            Close(tree);
        }
    }
}
