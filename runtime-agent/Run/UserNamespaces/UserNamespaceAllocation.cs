using RuntimeAgent.Store;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>The host side of <c>run --userns=auto</c>: what is refused, the range a container takes, and what it owns.</summary>
internal static class UserNamespaceAllocation
{
    /// <summary>Refuses, in one line and before any pull, what --userns=auto cannot do here.</summary>
    public static void Validate(RunRequest request)
    {
        if (request.UserNamespace != UserNamespaceMode.Auto) return;
        if (Geteuid() != 0 || RootlessMode.Active)
            throw new ContainerSetupException("--userns=auto needs a root agent: it maps containers onto the host's subordinate ids", 125);
        // The overlay's layers are idmapped in the container's mount namespace; reflink and copy build a tree the range owns.
        if (request.Snapshotter == Snapshots.Snapshotter.FuseOverlayfs)
            throw new ContainerSetupException("--userns=auto does not work with fuse-overlayfs: its daemon runs in the host's mount namespace, which the " +
                "layers' idmapped mounts (made in the container's) do not reach; use --snapshotter overlay, reflink or copy", 125);
        IdmappedMounts.EnsureKernelSupport();
    }

    /// <summary>
    /// Gives the container's root what it must own on the host: its directory (init, already inside the user
    /// namespace, reads spec.json there), the overlay's upper and work directories (so what it writes is owned by
    /// its mapped ids) and the generated /etc files.
    /// </summary>
    public static void Own(ContainerSpec spec, IdRange range)
    {
        var dir = Path.GetDirectoryName(spec.RootFs)!;
        foreach (var path in new[] { dir, spec.UpperDir, spec.WorkDir }.Concat(Directory.EnumerateFiles(dir)))
            ContainerSetupException.Check(FchownAt(AtFdCwd, path, (int)range.HostUid, (int)range.HostGid, AtSymlinkNoFollow), $"chown {path}");
    }

    public static IdRange Take(StoreLayout layout, string containerId) => new IdRangeAllocator(layout).Allocate(containerId);

    public static void Release(StoreLayout layout, string containerId) => new IdRangeAllocator(layout).Release(containerId);
}
