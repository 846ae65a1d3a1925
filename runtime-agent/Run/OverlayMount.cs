using RuntimeAgent.Native;
namespace RuntimeAgent.Run;

/// <summary>
/// The container's root: an overlay of the image's unpacked layers (read-only lowerdirs, top first) under a
/// fresh upper and work directory. It is mounted by init inside the container's own mount namespace, so the
/// host never sees it and the kernel drops it when the last process of the container exits — even if the
/// agent itself is killed.
/// </summary>
internal static class OverlayMount
{
    // Mount(2) data is limited to one page; long layer lists are given relative to their common parent.
    private const int MaxMountData = 4000;

    public static void Mount(ContainerSpec spec)
    {
        var data = Options(spec.LowerDirs, spec.UpperDir, spec.WorkDir, out var relativeTo);
        // The upper dir is deleted (run) or read straight back (build) when the container exits, so it need
        // not reach the disk: without `volatile`, unmounting syncs the host filesystem, about 5 ms a container.
        if (spec.DisposableUpper) data += ",volatile";
        // In a user namespace overlayfs may not use trusted.* xattrs; it keeps its own in user.overlay.* instead.
        if (UserNamespaces.RootlessMode.Active) data += ",userxattr";
        if (relativeTo is not null) ContainerSetupException.Check(Libc.Chdir(relativeTo), $"chdir {relativeTo}");
        ContainerSetupException.Check(Libc.Mount("overlay", spec.RootFs, "overlay", Libc.MsNodev, data), "mount the overlay root");
    }

    /// <summary>The overlayfs mount options; <paramref name="relativeTo"/> is set when lowerdirs are relative to it.</summary>
    public static string Options(IReadOnlyList<string> lowerDirs, string upperDir, string workDir, out string? relativeTo)
    {
        if (lowerDirs.Count == 0) throw new ContainerSetupException("the image has no layers");
        foreach (var dir in lowerDirs.Append(upperDir).Append(workDir))
            if (dir.Contains(',') || dir.Contains(':'))
                throw new ContainerSetupException($"overlay paths may not contain ',' or ':': {dir}");

        relativeTo = null;
        var data = Format(lowerDirs, upperDir, workDir);
        if (data.Length <= MaxMountData) return data;

        var parent = Path.GetDirectoryName(lowerDirs[0]);
        if (parent is null || lowerDirs.Any(d => Path.GetDirectoryName(d) != parent))
            throw new ContainerSetupException($"too many layers for one overlay mount ({lowerDirs.Count})");
        relativeTo = parent;
        data = Format(lowerDirs.Select(Path.GetFileName).ToList()!, upperDir, workDir);
        return data.Length <= MaxMountData ? data
            : throw new ContainerSetupException($"too many layers for one overlay mount ({lowerDirs.Count})");
    }

    private static string Format(IReadOnlyList<string> lowerDirs, string upperDir, string workDir) =>
        $"lowerdir={string.Join(':', lowerDirs)},upperdir={upperDir},workdir={workDir}";
}
