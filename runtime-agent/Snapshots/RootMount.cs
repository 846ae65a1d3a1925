using RuntimeAgent.Run;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Snapshots;

/// <summary>
/// The container's root at <see cref="ContainerSpec.RootFs"/>, by snapshotter. <see cref="Prepare"/> runs on the
/// host before the namespaces exist: it builds the private tree of reflink and copy, or starts the fuse-overlayfs
/// daemon. <see cref="Mount"/> runs on the setup thread inside the container's mount namespace: the kernel overlay is
/// mounted there (the host never sees it), a private tree is bound onto itself so pivot_root finds a mount point,
/// and the FUSE root is already there (the namespace's copy of the host's mount).
/// </summary>
internal static class RootMount
{
    /// <summary>Host side; returns what must be stopped once the container has exited (the FUSE daemon), or null.</summary>
    public static IDisposable? Prepare(ContainerSpec spec)
    {
        switch (spec.Snapshotter)
        {
            case Snapshotter.FuseOverlayfs:
                return FuseOverlayMount.Mount(spec);
            case Snapshotter.Reflink or Snapshotter.Copy:
                LayerTreeBuilder.Build(spec.LowerDirs.Reverse(), spec.RootFs, reflink: spec.Snapshotter == Snapshotter.Reflink,
                    spec.UserNamespace is { } range ? new RangeOwnership(range) : null);
                return null;
            default:
                return null;
        }
    }

    /// <summary>Inside the container's mount namespace, on the setup thread.</summary>
    public static void Mount(ContainerSpec spec)
    {
        switch (spec.Snapshotter)
        {
            case Snapshotter.Overlay:
                OverlayMount.Mount(spec);
                break;
            case Snapshotter.Reflink or Snapshotter.Copy:
                SystemMounts.Mount(spec.RootFs, spec.RootFs, null, MsBind | MsRec, null);
                break;
        }
    }
}
