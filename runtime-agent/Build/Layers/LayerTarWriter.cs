using System.Formats.Tar;
using System.IO.Compression;
using Registry.Oci;
using RuntimeAgent.Native;

namespace RuntimeAgent.Build.Layers;

/// <summary>A layer blob written by the builder: the digests the manifest and config need, and where it is.</summary>
public sealed record LayerBlob(Digest DiffId, Digest Digest, long Size, string Path);

/// <summary>
/// Turns a directory in overlayfs form (an overlay upper dir, or a staged COPY) into an OCI layer:
/// whiteouts (character device 0:0) become <c>.wh.NAME</c>, an opaque directory (trusted.overlay.opaque=y, or user.overlay.opaque=y when rootless)
/// gets <c>.wh..wh..opq</c>. The tar is reproducible: entries in ordinal order, numeric owners only (no user
/// or group names), times from a <see cref="TimestampPolicy"/> (also applied on disk, so later steps and the
/// unpacked layer agree with the tar). diff_id and the gzip digest are computed while writing.
/// See: https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
/// </summary>
public static class LayerTarWriter
{
    private const UnixFileMode NoMode = 0;

    /// <summary>Writes the layer of <paramref name="directory"/> as a gzip blob into <paramref name="outputDirectory"/> (a temp name).</summary>
    public static LayerBlob Write(string directory, TimestampPolicy times, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var path = System.IO.Path.Combine(outputDirectory, $".layer-{Guid.NewGuid():N}.tar.gz");
        try
        {
            Digest diffId, digest;
            long size;
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var compressed = new HashingWriteStream(file, leaveOpen: true))
            {
                using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                using (var tar = new HashingWriteStream(gzip, leaveOpen: true))
                {
                    using (var writer = new TarWriter(tar, TarEntryFormat.Gnu, leaveOpen: true))
                        new TreeWalk(writer, tar, times).Directory(directory, "");
                    diffId = tar.Finish();
                }
                digest = compressed.Finish();
                size = compressed.BytesWritten;
            }
            return new LayerBlob(diffId, digest, size, path);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private sealed class TreeWalk(TarWriter writer, Stream tar, TimestampPolicy times)
    {
        private readonly Dictionary<(ulong Device, ulong Inode), string> hardlinks = [];

        public void Directory(string directory, string prefix)
        {
            var names = System.IO.Directory.EnumerateFileSystemEntries(directory)
                .Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);
            foreach (var name in names)
                Entry(System.IO.Path.Combine(directory, name), prefix + name, prefix, name);
        }

        private void Entry(string path, string name, string prefix, string leaf)
        {
            var status = Libc.LStat(path);
            switch (status.Type)
            {
                case Libc.SIfChr when status.RawDevice == 0:
                    writer.WriteEntry(Marker(prefix + ".wh." + leaf));
                    return;
                case Libc.SIfDir:
                    Write(WithMetadata(new GnuTarEntry(TarEntryType.Directory, name + "/"), path, status), path);
                    if (Snapshots.OverlayXattrs.IsOpaque(path))
                        writer.WriteEntry(Marker(name + "/.wh..wh..opq"));
                    Directory(path, name + "/");
                    return;
                case Libc.SIfReg:
                    RegularFile(path, name, status);
                    return;
                case Libc.SIfLnk:
                    var link = new GnuTarEntry(TarEntryType.SymbolicLink, name) { LinkName = new FileInfo(path).LinkTarget ?? "" };
                    Write(WithMetadata(link, path, status), path);
                    return;
                case Libc.SIfChr or Libc.SIfBlk:
                    var type = status.Type == Libc.SIfChr ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice;
                    var device = new GnuTarEntry(type, name) { DeviceMajor = status.DeviceMajor, DeviceMinor = status.DeviceMinor };
                    Write(WithMetadata(device, path, status), path);
                    return;
                case Libc.SIfIfo:
                    Write(WithMetadata(new GnuTarEntry(TarEntryType.Fifo, name), path, status), path);
                    return;
                default:
                    return; // sockets cannot be carried in a tar; a running daemon's socket is not image content
            }
        }

        private void RegularFile(string path, string name, Libc.FileStatus status)
        {
            if (status.LinkCount > 1)
            {
                if (hardlinks.TryGetValue((status.Device, status.Inode), out var first))
                {
                    writer.WriteEntry(WithMetadata(new GnuTarEntry(TarEntryType.HardLink, name) { LinkName = first }, path, status));
                    return;
                }
                hardlinks[(status.Device, status.Inode)] = name;
            }
            using var data = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var entry = WithMetadata(new GnuTarEntry(TarEntryType.RegularFile, name), path, status);
            entry.DataStream = data;
            Write(entry, path);
        }

        /// <summary>The entry, preceded by a PAX header with its xattrs when it has any (a hardlink shares its target's).</summary>
        private void Write(GnuTarEntry entry, string path)
        {
            var xattrs = Libc.ListXattrs(path)
                .Where(name => !Snapshots.OverlayXattrs.IsOverlays(name) && name != "security.selinux")
                .Order(StringComparer.Ordinal)
                .Select(name => (Name: name, Value: Libc.GetXattr(path, name)))
                .Where(x => x.Value is not null)
                .Select(x => new KeyValuePair<string, byte[]>(x.Name, x.Value!))
                .ToList();
            if (xattrs.Count > 0) PaxXattrHeader.Write(tar, entry.Name, xattrs, entry.ModificationTime.ToUnixTimeSeconds());
            writer.WriteEntry(entry);
        }

        private GnuTarEntry WithMetadata(GnuTarEntry entry, string path, Libc.FileStatus status)
        {
            var seconds = times.Apply(status.MtimeSeconds);
            if (seconds != status.MtimeSeconds) SetTime(path, seconds);
            var time = DateTimeOffset.FromUnixTimeSeconds(seconds);
            entry.Mode = (UnixFileMode)(status.Mode & 0xFFF);
            entry.Uid = (int)status.Uid;
            entry.Gid = (int)status.Gid;
            entry.ModificationTime = entry.AccessTime = entry.ChangeTime = time;
            return entry;
        }

        private GnuTarEntry Marker(string name)
        {
            var time = DateTimeOffset.FromUnixTimeSeconds(times.FixedTime);
            return new GnuTarEntry(TarEntryType.RegularFile, name) { Mode = NoMode, ModificationTime = time, AccessTime = time, ChangeTime = time };
        }

        private static unsafe void SetTime(string path, long seconds)
        {
            var both = stackalloc Libc.Timespec[2];
            both[0] = both[1] = new Libc.Timespec { Seconds = seconds, Nanoseconds = 0 };
            if (Libc.UtimensAt(Libc.AtFdCwd, path, both, Libc.AtSymlinkNoFollow) != 0)
                throw new IOException($"utimensat {path}: {Libc.ErrorText(Libc.LastError)}");
        }
    }
}
