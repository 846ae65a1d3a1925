using RuntimeAgent.Run;
using RuntimeAgent.Run.UserNamespaces;
using RuntimeAgent.Store;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Snapshots;

/// <summary>What the probe found: the snapshotter chosen (null: none works), why, and each candidate's failure.</summary>
public sealed record SnapshotterProbeResult(Snapshotter? Chosen, string Reason, string? OverlayError, string? FuseOverlayfsError, string BootId)
{
    /// <summary>True when the result was read back from an earlier probe of this boot.</summary>
    public bool Cached { get; init; }
}

/// <summary>
/// Which snapshotter works on a state directory: the kernel overlay as this agent mounts it (with <c>userxattr</c>
/// when rootless), else fuse-overlayfs. Each candidate is really mounted on scratch directories under --root (same
/// filesystem as the layers and the containers' upper directories) and written through, once per state directory
/// and boot; the result is kept in ROOT/snapshotter-probe with the kernel's boot id. A rootless agent's default
/// snapshotter is the one chosen here; a root agent keeps overlay (the probe is then only reported by <c>info</c>).
/// </summary>
internal static class SnapshotterProbe
{
    public const string FileName = "snapshotter-probe";
    private const string BootIdFile = "/proc/sys/kernel/random/boot_id";

    /// <summary>The snapshotter <c>run</c> uses when no --snapshotter is given.</summary>
    public static Snapshotter DefaultFor(StoreLayout layout)
    {
        if (!RootlessMode.Active) return Snapshotter.Overlay;
        var result = Result(layout);
        return result.Chosen ?? throw new ContainerSetupException(
            $"rootless: no snapshotter works on {layout.Root}: overlay: {result.OverlayError}; fuse-overlayfs: {result.FuseOverlayfsError}; " +
            "run with --snapshotter copy", 125);
    }

    /// <summary>This boot's probe of <paramref name="layout"/>'s root: read back, or run now and recorded.</summary>
    public static SnapshotterProbeResult Result(StoreLayout layout)
    {
        var bootId = File.ReadAllText(BootIdFile).Trim();
        var file = Path.Join(layout.Root, FileName);
        if (SnapshotterProbeFile.Read(file) is { } cached && cached.BootId == bootId) return cached with { Cached = true };
        var result = Probe(layout.Root, bootId);
        SnapshotterProbeFile.Write(file, result);
        return result;
    }

    private static SnapshotterProbeResult Probe(string root, string bootId)
    {
        var overlayError = Attempt(root, OverlayOnce);
        if (overlayError is null)
            return new(Snapshotter.Overlay, RootlessMode.Active ? "the kernel overlay mounts with userxattr here" : "the kernel overlay mounts here", null, null, bootId);
        var fuseError = Attempt(root, FuseOnce);
        return fuseError is null
            ? new(Snapshotter.FuseOverlayfs, "the kernel overlay cannot be mounted here; fuse-overlayfs can", overlayError, null, bootId)
            : new(null, "neither the kernel overlay nor fuse-overlayfs can be mounted here", overlayError, fuseError, bootId);
    }

    /// <summary>Runs one mount attempt on fresh scratch directories under <paramref name="root"/>; returns its error, or null.</summary>
    private static string? Attempt(string root, Func<ScratchOverlay, string?> mount)
    {
        Directory.CreateDirectory(root);
        var scratch = new ScratchOverlay(Directory.CreateDirectory(Path.Join(root, $".probe-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName);
        try
        {
            return mount(scratch);
        }
        catch (Exception e) when (e is ContainerSetupException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
        finally
        {
            try
            {
                Directory.Delete(scratch.Directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"runtime-agent: could not remove the probe directory {scratch.Directory}: {e.Message}");
            }
        }
    }

    // On a thread of its own that unshares a private mount namespace: the mount is gone when the thread ends.
    private static string? OverlayOnce(ScratchOverlay scratch)
    {
        string? error = null;
        var thread = new Thread(() =>
        {
            if (Unshare(CloneNewNs) < 0) { error = $"unshare a mount namespace: {ErrorText(LastError)}"; return; }
            if (Mount(null, "/", null, MsRec | MsPrivate, null) < 0) { error = $"make the mounts private: {ErrorText(LastError)}"; return; }
            var options = OverlayMount.Options([scratch.Lower], scratch.Upper, scratch.Work, out _) + (RootlessMode.Active ? ",userxattr" : "");
            if (Mount("overlay", scratch.Merged, "overlay", MsNodev, options) < 0)
            {
                error = $"mount -t overlay -o {(RootlessMode.Active ? "userxattr," : "")}lowerdir=…: {ErrorText(LastError)} (upperdir on {FilesystemName(scratch.Upper)})";
                return;
            }
            try
            {
                error = scratch.WriteThrough();
            }
            finally
            {
                Umount2(scratch.Merged, MntDetach);
            }
        }) { Name = "overlay-probe" };
        thread.Start();
        thread.Join();
        return error;
    }

    // The kernel logs why it refused an overlay, where an ordinary user cannot read it; the filesystem type usually says.
    private static unsafe string FilesystemName(string path)
    {
        var buffer = stackalloc byte[256];
        if (Statfs(path, buffer) < 0) return "an unknown filesystem";
        var magic = *(long*)buffer;
        return magic switch
        {
            0x794c7630 => "overlayfs, which the kernel overlay does not accept as an upperdir",
            FuseSuperMagic => "FUSE, which the kernel overlay does not accept as an upperdir",
            0x6969 => "NFS, which the kernel overlay does not accept as an upperdir",
            0xEF53 => "ext4", 0x58465342 => "xfs", 0x9123683E => "btrfs", 0x01021994 => "tmpfs",
            _ => $"filesystem type 0x{magic:x}",
        };
    }

    private static string? FuseOnce(ScratchOverlay scratch)
    {
        using var mount = FuseOverlayMount.Mount([scratch.Lower], scratch.Upper, scratch.Work, scratch.Merged);
        return scratch.WriteThrough();
    }

    /// <summary>lower (one file), upper, work and merged directories for one attempt.</summary>
    private sealed record ScratchOverlay(string Directory)
    {
        public string Lower { get; } = Made(Directory, "lower");
        public string Upper { get; } = Made(Directory, "upper");
        public string Work { get; } = Made(Directory, "work");
        public string Merged { get; } = Made(Directory, "merged");

        private static string Made(string parent, string name)
        {
            var path = System.IO.Directory.CreateDirectory(Path.Join(parent, name)).FullName;
            if (name == "lower") File.WriteAllText(Path.Join(path, "from-lower"), "");
            return path;
        }

        /// <summary>A container's first writes: hide a lower file (a whiteout in upper) and create one; null when both hold.</summary>
        public string? WriteThrough()
        {
            try
            {
                File.Delete(Path.Join(Merged, "from-lower"));
                File.WriteAllText(Path.Join(Merged, "written"), "");
                if (File.Exists(Path.Join(Merged, "from-lower"))) return "a deleted lower file is still visible (no whiteouts on this filesystem)";
                return File.Exists(Path.Join(Upper, "written")) ? null : "a written file did not reach the upper directory";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"the mounted overlay refused a write: {e.Message}";
            }
        }
    }
}
