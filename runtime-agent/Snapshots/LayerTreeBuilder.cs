using System.Text;
using RuntimeAgent.Run;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Snapshots;

/// <summary>
/// Builds a container's private root from unpacked layers (bottom first) the way overlayfs would show them:
/// a whiteout (character device 0:0) deletes what lower layers put at its path, a directory marked
/// <c>trusted.overlay.opaque=y</c> hides its lower contents, anything else replaces what was there. Files are
/// reflink clones (FICLONE: shared extents, copy-on-write) or real copies; hardlinks within a layer stay
/// hardlinks; owners, modes (setuid included), xattrs (file capabilities included) and times are kept. Paths are
/// only ever descended through directories this builder created, so a symlink in a layer cannot lead it out.
/// </summary>
/// <param name="owners">--userns=auto: the container's range owns the tree (<see cref="RangeOwnership"/>); null: the image's ids.</param>
internal sealed class LayerTreeBuilder(bool reflink, RangeOwnership? owners)
{
    private readonly Dictionary<(ulong Device, ulong Inode), string> _linked = [];

    public static void Build(IEnumerable<string> layersBottomFirst, string target, bool reflink, RangeOwnership? owners = null)
    {
        var builder = new LayerTreeBuilder(reflink, owners);
        foreach (var layer in layersBottomFirst)
        {
            builder._linked.Clear();
            builder.ApplyDirectory(layer, target);
            builder.CopyMetadata(layer, target, LStat(layer));
        }
    }

    private void ApplyDirectory(string source, string target)
    {
        foreach (var from in Directory.EnumerateFileSystemEntries(source))
        {
            var to = Path.Join(target, Path.GetFileName(from));
            var stat = LStat(from);
            var type = stat.Mode & SIfMt;
            if (type == SIfChr && stat.RawDevice == 0)
            {
                RemoveTree(to); // a whiteout
                continue;
            }
            // A whiteout kept in OCI form where the layer's filesystem refused whiteout devices (Unpack/EntryWriter).
            if (type == SIfReg && Path.GetFileName(from) is { Length: > 4 } oci && oci.StartsWith(".wh.", StringComparison.Ordinal))
            {
                RemoveTree(Path.Join(target, oci[4..]));
                continue;
            }
            if (type == SIfDir)
            {
                if (!IsDirectory(to))
                {
                    RemoveTree(to);
                    Check(MkdirAt(AtFdCwd, to, 0x1C0 /* 0700 */), "mkdir", to);
                }
                else if (IsOpaque(from))
                {
                    foreach (var hidden in Directory.EnumerateFileSystemEntries(to)) RemoveTree(hidden);
                }
                ApplyDirectory(from, to);
                CopyMetadata(from, to, stat);
                continue;
            }
            RemoveTree(to);
            if (type == SIfReg && stat.LinkCount > 1 && _linked.TryGetValue((stat.Device, stat.Inode), out var first))
            {
                Check(LinkAt(AtFdCwd, first, AtFdCwd, to, 0), "link", to);
                continue;
            }
            CreateLike(from, to, stat, type);
            CopyMetadata(from, to, stat);
            if (type == SIfReg && stat.LinkCount > 1) _linked[(stat.Device, stat.Inode)] = to;
        }
    }

    private unsafe void CreateLike(string from, string to, FileStatus stat, uint type)
    {
        switch (type)
        {
            case SIfReg:
                CopyFile(from, to);
                break;
            case SIfLnk:
                Check(SymlinkAt(ReadLink(from), AtFdCwd, to), "symlink", to);
                break;
            default: // devices, FIFOs, sockets
                Check(MknodAt(AtFdCwd, to, stat.Mode, stat.RawDevice), "mknod", to);
                break;
        }
    }

    private unsafe void CopyFile(string from, string to)
    {
        var source = OpenAt(AtFdCwd, from, ORdOnly | OCloExec | ONoFollow, 0);
        Check(source, "open", from);
        try
        {
            var destination = OpenAt(AtFdCwd, to, OWrOnly | OCreat | OExcl | OCloExec | ONoFollow, 0x180 /* 0600 */);
            Check(destination, "create", to);
            using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(destination, ownsHandle: true);
            if (reflink)
            {
                if (Ioctl(destination, Ficlone, (void*)source) != 0)
                {
                    var errno = LastError;
                    throw new ContainerSetupException(errno is EOpNotSupp or EXDev or EInval or 25 /* ENOTTY */
                        ? $"the reflink snapshotter needs a filesystem with reflinks (XFS with reflink=1, btrfs) holding both the layers and the containers (--root); here: {ErrorText(errno)}; use --snapshotter copy or overlay"
                        : $"reflink {from}: {ErrorText(errno)}");
                }
                return;
            }
            using var input = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(source, ownsHandle: false), FileAccess.Read, 0);
            using var output = new FileStream(handle, FileAccess.Write, 0);
            input.CopyTo(output, 1 << 20);
        }
        finally
        {
            Close(source);
        }
    }

    // Owner before mode (chown clears setuid bits), xattrs after both (chown drops security.capability), times last.
    private unsafe void CopyMetadata(string from, string to, FileStatus stat)
    {
        var (uid, gid) = owners is null ? (stat.Uid, stat.Gid) : (owners.Uid(stat.Uid), owners.Gid(stat.Gid));
        Check(FchownAt(AtFdCwd, to, (int)uid, (int)gid, AtSymlinkNoFollow), "chown", to);
        var type = stat.Mode & SIfMt;
        if (type != SIfLnk) Check(FchmodAt(AtFdCwd, to, stat.Mode & 0xFFF, 0), "chmod", to);
        foreach (var name in ListXattrs(from))
        {
            if (OverlayXattrs.IsOverlays(name)) continue;
            var value = GetXattr(from, name);
            if (value is null) continue;
            if (owners is not null && name == "security.capability") value = owners.Capability(value);
            fixed (byte* p = value) Check(LSetXattr(to, name, p, (nuint)value.Length, 0), $"setxattr {name}", to);
        }
        var times = stackalloc Timespec[2]; // atime is not kept by layers either: both from mtime
        times[0] = times[1] = new Timespec { Seconds = stat.MtimeSeconds, Nanoseconds = stat.MtimeNanoseconds };
        Check(UtimensAt(AtFdCwd, to, times, AtSymlinkNoFollow), "utimensat", to);
    }

    private static bool IsOpaque(string directory) => OverlayXattrs.IsOpaque(directory);

    private static bool IsDirectory(string path) =>
        Exists(path, out var stat) && stat.Type == SIfDir;

    private static void RemoveTree(string path)
    {
        if (!Exists(path, out var stat)) return;
        if (stat.Type == SIfDir) Directory.Delete(path, recursive: true); // removes links, never follows them
        else Check(UnlinkAt(AtFdCwd, path, 0), "unlink", path);
    }

    private static bool Exists(string path, out FileStatus stat)
    {
        if (FstatAtFull(AtFdCwd, path, out stat, AtSymlinkNoFollow) == 0) return true;
        return LastError == ENoEnt ? false : throw new ContainerSetupException($"stat {path}: {ErrorText(LastError)}");
    }

    private static unsafe string ReadLink(string path)
    {
        var buffer = stackalloc byte[4096];
        var length = Readlink(path, buffer, 4096);
        if (length < 0) Check(-1, "readlink", path);
        return Encoding.UTF8.GetString(buffer, (int)length);
    }

    private static void Check(int result, string operation, string path)
    {
        if (result < 0) throw new ContainerSetupException($"{operation} {path}: {ErrorText(LastError)}");
    }
}
