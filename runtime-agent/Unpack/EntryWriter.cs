using System.Formats.Tar;
using Microsoft.Win32.SafeHandles;
using RuntimeAgent.Native;

namespace RuntimeAgent.Unpack;

/// <summary>
/// Writes one tar entry below a <see cref="RootedDirectory"/>, keeping what a root filesystem needs: owners
/// (chown before chmod so setuid bits survive), modes, mtimes, symlinks, hardlinks, xattrs and device nodes,
/// and converting OCI whiteouts to OverlayFS form.
/// See: https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
/// </summary>
internal sealed unsafe class EntryWriter(RootedDirectory root)
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private const int CopyBuffer = 1 << 20;


    private const string AufsMetaPrefix = ".wh..wh.";

    private readonly DirectoryTimes directoryTimes = new(root);

    public void Write(LayerEntry entry)
    {
        var parts = EntryPath.Split(entry.Name);
        if (parts.Count == 0)
        {
            if (entry.Type != TarEntryType.Directory) throw new LayerRefusedException($"entry '{entry.Name}' names the layer root but is not a directory");
            ApplyMetadata(root.RootFd, ".", entry, isSymlink: false);
            directoryTimes.Record(parts, entry.ModificationTime);
            return;
        }
        // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs) is not content; containerd and Docker skip it too.
        if (parts.Any(part => part.StartsWith(AufsMetaPrefix, StringComparison.Ordinal) && part != OpaqueMarker)) return;
        var name = parts[^1];
        var parent = root.OpenParent(parts, entry.Name);
        if (name == OpaqueMarker)
        {
            // In a user namespace (rootless) trusted.* is refused; the overlay is then mounted with userxattr and reads user.*.
            SetXattr(RootedDirectory.ProcPath(parent, "."), Snapshots.OverlayXattrs.OpaqueName, "y"u8);
            return;
        }
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            var hidden = name[WhiteoutPrefix.Length..];
            if (hidden is "" or "." or "..") throw new LayerRefusedException($"whiteout '{entry.Name}' names no file");
            RemoveExisting(parent, hidden);
            if (Libc.MknodAt(parent, hidden, Libc.SIfChr, 0) == 0) return;
            // Some filesystems refuse whiteout devices even to root (an overlayfs holding --root, as inside a
            // container). The kernel overlay cannot use such a filesystem as its upperdir either, so the readers
            // left are fuse-overlayfs and the tree snapshotters: they read the OCI form itself, kept as an empty file.
            if (Libc.LastError != Libc.EPerm) Check(-1, "whiteout", entry.Name);
            RemoveExisting(parent, name);
            var fd = Libc.OpenAt(parent, name, Libc.OWrOnly | Libc.OCreat | Libc.OExcl | Libc.ONoFollow | Libc.OCloExec, 0);
            Check(fd, "whiteout", entry.Name);
            Libc.Close(fd);
            return;
        }

        switch (entry.Type)
        {
            case TarEntryType.Directory:
                MakeDirectory(parent, name, entry);
                ApplyMetadata(parent, name, entry, isSymlink: false);
                directoryTimes.Record(parts, entry.ModificationTime);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                WriteFile(parent, name, entry);
                ApplyMetadata(parent, name, entry, isSymlink: false);
                break;
            case TarEntryType.SymbolicLink:
                RemoveExisting(parent, name);
                // The target is stored as written: it is only ever followed inside the container's own root.
                Check(Libc.SymlinkAt(entry.LinkName, parent, name), "symlink", entry.Name);
                ApplyMetadata(parent, name, entry, isSymlink: true);
                break;
            case TarEntryType.HardLink:
                Link(parent, name, entry);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                RemoveExisting(parent, name);
                var type = entry.Type switch { TarEntryType.CharacterDevice => Libc.SIfChr, TarEntryType.BlockDevice => Libc.SIfBlk, _ => Libc.SIfIfo };
                var device = Libc.MakeDevice(entry.DeviceMajor, entry.DeviceMinor);
                if (Libc.MknodAt(parent, name, type | 0b110_000_000, device) < 0)
                {
                    // In a user namespace only the host may make device nodes: a rootless layer goes without them, as
                    // rootless podman's and Docker's do (a container's /dev is its own tmpfs anyway).
                    if (Libc.LastError == Libc.EPerm && entry.Type != TarEntryType.Fifo && Run.UserNamespaces.RootlessMode.Active) break;
                    Check(-1, "mknod", entry.Name);
                }
                ApplyMetadata(parent, name, entry, isSymlink: false);
                break;
            default:
                throw new LayerRefusedException($"entry '{entry.Name}' has unsupported type {entry.Type}");
        }
    }

    /// <summary>Directory mtimes last: writing into a directory changes its mtime.</summary>
    public void FinishDirectoryTimes() => directoryTimes.Apply();

    private void MakeDirectory(int parent, string name, LayerEntry entry)
    {
        if (Libc.MkdirAt(parent, name, 0b111_000_000) == 0) return;
        if (Libc.LastError != Libc.EExist) Check(-1, "mkdir", entry.Name);
        if (Libc.FstatAt(parent, name, out var stat, Libc.AtSymlinkNoFollow) == 0 && (stat.Mode & Libc.SIfMt) == Libc.SIfDir) return;
        RemoveExisting(parent, name);
        Check(Libc.MkdirAt(parent, name, 0b111_000_000), "mkdir", entry.Name);
    }

    private void WriteFile(int parent, string name, LayerEntry entry)
    {
        const int flags = Libc.OWrOnly | Libc.OCreat | Libc.OExcl | Libc.ONoFollow | Libc.OCloExec;
        var fd = Libc.OpenAt(parent, name, flags, 0b110_000_000);
        if (fd < 0 && Libc.LastError == Libc.EExist)
        {
            RemoveExisting(parent, name);
            fd = Libc.OpenAt(parent, name, flags, 0b110_000_000);
        }
        Check(fd, "create", entry.Name);
        using var file = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 0);
        entry.Data.CopyTo(file, CopyBuffer);
    }

    private void Link(int parent, string name, LayerEntry entry)
    {
        var targetParts = EntryPath.Split(entry.LinkName, $"hardlink '{entry.Name}' → target");
        if (targetParts.Count == 0) throw new LayerRefusedException($"hardlink '{entry.Name}' points at the layer root");
        // The target's parent fd is opened separately from the cached one: both are needed at once.
        var targetParent = root.OpenExistingParent(targetParts);
        if (targetParent < 0)
            throw new LayerRefusedException($"hardlink '{entry.Name}' → '{entry.LinkName}': the target is not a file inside the layer");
        try
        {
            // A whiteout is a deletion, not a file: a link to it would silently delete a second path.
            if (Libc.FstatAt(targetParent, targetParts[^1], out var target, Libc.AtSymlinkNoFollow) == 0
                && (target.Mode & Libc.SIfMt) == Libc.SIfChr && target.RawDevice == 0)
                throw new LayerRefusedException($"hardlink '{entry.Name}' → '{entry.LinkName}': the target is a whiteout");
            RemoveExisting(parent, name);
            parent = root.OpenParent(EntryPath.Split(entry.Name), entry.Name);
            if (Libc.LinkAt(targetParent, targetParts[^1], parent, name, 0) != 0)
                throw new LayerRefusedException(
                    $"hardlink '{entry.Name}' → '{entry.LinkName}': {Libc.ErrorText(Libc.LastError)} (the target must be a file earlier in the layer)");
        }
        finally
        {
            if (targetParent != root.RootFd) Libc.Close(targetParent);
        }
    }

    private void ApplyMetadata(int parent, string name, LayerEntry entry, bool isSymlink)
    {
        Check(Libc.FchownAt(parent, name, entry.Uid, entry.Gid, Libc.AtSymlinkNoFollow), "chown", entry.Name);
        ApplyXattrs(parent, name, entry);
        if (!isSymlink) Check(Libc.FchmodAt(parent, name, entry.Mode, 0), "chmod", entry.Name);
        if (entry.Type != TarEntryType.Directory) SetTimes(parent, name, entry.ModificationTime, entry.Name);
    }

    private static void ApplyXattrs(int parent, string name, LayerEntry entry)
    {
        foreach (var (attribute, value) in entry.Xattrs)
        {
            // Overlay's own attributes come only from whiteout conversion: a layer may not forge redirects or opacity
            // (user.overlay.* too: a rootless agent's overlay honours those).
            if (Snapshots.OverlayXattrs.IsOverlays(attribute)) continue;
            SetXattr(RootedDirectory.ProcPath(parent, name), attribute, value);
        }
    }

    private static void SetXattr(string path, string attribute, ReadOnlySpan<byte> value)
    {
        fixed (byte* pointer = value)
            if (Libc.LSetXattr(path, attribute, pointer, (nuint)value.Length, 0) != 0)
                throw new IOException($"setxattr {attribute} on {path}: {Libc.ErrorText(Libc.LastError)}");
    }

    internal static void SetTimes(int parent, string name, DateTimeOffset time, string entryName)
    {
        var seconds = time.ToUnixTimeSeconds();
        var nanoseconds = (time.UtcTicks - DateTimeOffset.FromUnixTimeSeconds(seconds).UtcTicks) * 100;
        var times = stackalloc Libc.Timespec[2];
        times[0] = times[1] = new Libc.Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        Check(Libc.UtimensAt(parent, name, times, Libc.AtSymlinkNoFollow), "utimensat", entryName);
    }

    /// <summary>A later entry replaces an earlier one of the same name, as tar extraction does.</summary>
    private void RemoveExisting(int parent, string name)
    {
        if (Libc.UnlinkAt(parent, name, 0) == 0 || Libc.LastError == Libc.ENoEnt) return;
        if (Libc.LastError != Libc.EIsDir) Check(-1, "unlink", name);
        root.Invalidate();
        if (Libc.UnlinkAt(parent, name, Libc.AtRemoveDir) == 0) return;
        if (Libc.LastError != Libc.ENotEmpty) Check(-1, "rmdir", name);
        // Directory.Delete removes symlinks inside without following them.
        Directory.Delete(RootedDirectory.ProcPath(parent, name), recursive: true);
    }

    private static void Check(int result, string operation, string entryName)
    {
        if (result < 0) throw new IOException($"{operation} '{entryName}': {Libc.ErrorText(Libc.LastError)}");
    }
}
