using System.Diagnostics;
using System.IO.Compression;
using RuntimeAgent.Build.Layers;
using RuntimeAgent.Native;
using RuntimeAgent.Unpack;

namespace RuntimeAgent.Build.Context;

/// <summary>
/// ADD of a local tar archive (plain, gzip, bzip2, xz or zstd; the bytes decide, not the name): its entries are
/// extracted into the destination directory, as Docker does; anything else is copied as a file. Extraction reuses
/// the layer unpacker's writer (no write through a symlink, no '..' out of the root, owners and modes kept), and
/// entry paths are resolved inside the image first so a /bin → usr/bin symlink is followed, not shadowed.
/// See: https://docs.docker.com/reference/dockerfile/#adding-local-tar-archives
/// </summary>
internal static class AddArchive
{
    private const int TarMagicOffset = 257;

    /// <summary>True when the file is a tar archive, compressed or not (a compressed non-tar is copied as is).</summary>
    public static bool IsArchive(string hostPath)
    {
        try
        {
            using var tar = OpenTar(hostPath);
            var header = new byte[512];
            var read = 0;
            while (read < header.Length && tar.Read(header, read, header.Length - read) is var n and > 0) read += n;
            return read == header.Length && header.AsSpan(TarMagicOffset, 5).SequenceEqual("ustar"u8);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>Extracts the archive under <paramref name="destination"/> (an image directory path) into the layer's staging tree.</summary>
    public static void Extract(string hostPath, string staging, string destination, LayerView image, string what)
    {
        using var tar = OpenTar(hostPath);
        using var root = new RootedDirectory(staging);
        var writer = new EntryWriter(root);
        var entries = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new LayerTarReader(tar);
            while (reader.Next() is { } entry)
            {
                var parts = EntryPath.Split(entry.Name);
                if (parts.Count == 0) continue; // the archive's root: the destination keeps its own metadata, as in Docker
                var name = InImage(destination, parts, image);
                entries.Add(name);
                var link = entry.Type == System.Formats.Tar.TarEntryType.HardLink
                    ? InImage(destination, EntryPath.Split(entry.LinkName, $"hardlink '{entry.Name}' → target"), image) : entry.LinkName;
                writer.Write(entry with { Name = name, LinkName = link });
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or LayerRefusedException)
        {
            throw new FormatException($"{what}: not a valid archive: {e.Message}");
        }
        writer.FinishDirectoryTimes();
        KeepImageDirectories(staging, entries, image);
    }

    // An entry's parent path is resolved in the image (its symlinks followed inside it); its own name is kept.
    private static string InImage(string destination, IReadOnlyList<string> parts, LayerView image)
    {
        var parent = image.Resolve(PathText.InImage(destination, string.Join('/', parts.Take(parts.Count - 1))));
        return PathText.Clean(parent + "/" + parts[^1]);
    }

    // Directories the writer created only as parents of entries (0755, root) get the owner and mode the image gives them.
    private static void KeepImageDirectories(string staging, HashSet<string> entries, LayerView image)
    {
        var parents = entries.SelectMany(Ancestors).Where(p => !entries.Contains(p)).Distinct();
        foreach (var parent in parents)
        {
            if (image.Find("/" + parent) is not { IsDirectory: true } existing) continue;
            var host = Path.Join(staging, parent);
            if (Libc.FchownAt(Libc.AtFdCwd, host, (int)existing.Status.Uid, (int)existing.Status.Gid, Libc.AtSymlinkNoFollow) != 0)
                throw new IOException($"chown {host}: {Libc.ErrorText(Libc.LastError)}");
            File.SetUnixFileMode(host, (UnixFileMode)(existing.Status.Mode & 0xFFF));
        }
    }

    private static IEnumerable<string> Ancestors(string path)
    {
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            yield return path[..slash];
    }

    /// <summary>The archive as an uncompressed tar stream. bzip2 and xz go through the host's tools, as Docker does for xz.</summary>
    private static Stream OpenTar(string hostPath)
    {
        var file = new FileStream(hostPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[6];
        var read = file.Read(magic);
        file.Position = 0;
        if (read >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return new GZipStream(file, CompressionMode.Decompress);
        if (read >= 4 && magic[..4].SequenceEqual((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd])) return new ZstdSharp.DecompressionStream(file);
        if (read >= 3 && magic[..3].SequenceEqual("BZh"u8)) { file.Dispose(); return Tool("bzip2", hostPath); }
        if (read == 6 && magic.SequenceEqual((ReadOnlySpan<byte>)[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) { file.Dispose(); return Tool("xz", hostPath); }
        return file;
    }

    private static Stream Tool(string tool, string hostPath)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-dc");
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(hostPath);
        var process = Process.Start(start) ?? throw new IOException($"could not start {tool}");
        return new ToolOutput(process, tool);
    }

    /// <summary>A decompressor's stdout; disposing it ends the process, and a failed run is an error, not a short archive.</summary>
    private sealed class ToolOutput(Process process, string tool) : Stream
    {
        private readonly Task<string> errors = process.StandardError.ReadToEndAsync();
        private readonly Stream output = process.StandardOutput.BaseStream;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = output.Read(buffer, offset, count);
            if (read == 0 && count > 0)
            {
                process.WaitForExit();
                if (process.ExitCode != 0) throw new InvalidDataException($"{tool}: {errors.Result.Trim()}");
            }
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                if (!process.HasExited) { try { process.Kill(); } catch (InvalidOperationException) { } }
                process.WaitForExit();
                process.Dispose();
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
