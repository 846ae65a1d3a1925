namespace RuntimeAgent.Snapshots;

/// <summary>How a container's root is stacked from the image's unpacked layers (<c>--snapshotter</c>).</summary>
public enum Snapshotter
{
    /// <summary>The kernel's OverlayFS, mounted inside the container's mount namespace (the default).</summary>
    Overlay,
    /// <summary>The FUSE implementation of overlay (Debian's fuse-overlayfs), for kernels or users the kernel's refuses.</summary>
    FuseOverlayfs,
    /// <summary>A private tree whose files are reflink clones (FICLONE) of the layers' files: XFS, btrfs.</summary>
    Reflink,
    /// <summary>A private tree of real copies: works on any filesystem, costs the image's size per container.</summary>
    Copy,
}

public static class SnapshotterNames
{
    public static readonly string[] All = ["overlay", "fuse-overlayfs", "reflink", "copy"];

    public static Snapshotter Parse(string name) => name switch
    {
        "overlay" => Snapshotter.Overlay,
        "fuse-overlayfs" => Snapshotter.FuseOverlayfs,
        "reflink" => Snapshotter.Reflink,
        "copy" => Snapshotter.Copy,
        _ => throw new ArgumentException($"unknown snapshotter '{name}' (one of {string.Join(", ", All)})"),
    };

    public static string Name(Snapshotter snapshotter) => All[(int)snapshotter];

    /// <summary>Whether the root is a private tree built on the host before the container starts.</summary>
    public static bool BuildsTree(this Snapshotter snapshotter) => snapshotter is Snapshotter.Reflink or Snapshotter.Copy;
}
