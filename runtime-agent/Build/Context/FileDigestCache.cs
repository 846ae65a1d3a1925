using System.Buffers.Binary;
using System.Security.Cryptography;
using RuntimeAgent.Native;

namespace RuntimeAgent.Build.Context;

/// <summary>
/// SHA-256 digests of build-context files, remembered between builds and trusted again only while the file's
/// device, inode, size, mtime and ctime are all unchanged (git's index does the same). A rebuild then reads
/// no file content and loads no OpenSSL for files it has seen.
///
/// Why a match is safe: the kernel stamps ctime on every write, chmod, rename or truncate, and no system call
/// can set it back. A digest is stored only if the file's ctime was already more than a second old when it was
/// hashed and the file's status did not change while it was read; so any later change gives a newer ctime,
/// even with the kernel's coarse file clock. (Setting the system clock back would defeat this; `--no-cache`
/// does not consult this cache.) Entries are keyed by device and inode, not by path: content belongs to the inode,
/// a new file on a reused inode has a newer ctime, and no path string is kept per file.
///
/// The file is fixed-size binary records read in one pass: a fully cached rebuild of a large context loads it
/// every time, and parsing text into strings cost more than the lstat calls it saves (docs/PERFORMANCE.md).
/// </summary>
public sealed class FileDigestCache
{
    private static readonly TimeSpan SettledAge = TimeSpan.FromSeconds(1);
    private static readonly byte[] Magic = "rtagent-file-digests-2\n"u8.ToArray();
    private const int RecordSize = 5 * 8 + 32;
    private readonly string path;
    private readonly Dictionary<(ulong Device, ulong Inode), (FileIdentity Identity, FileDigest Digest)> entries;
    private bool changed;

    private FileDigestCache(string path, Dictionary<(ulong, ulong), (FileIdentity, FileDigest)> entries)
    {
        this.path = path;
        this.entries = entries;
    }

    /// <summary>Reads the cache file; a missing or damaged one (wrong header, truncated) is an empty cache.</summary>
    public static FileDigestCache Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { bytes = []; }
        var records = bytes.AsSpan();
        if (!records.StartsWith(Magic) || (records.Length - Magic.Length) % RecordSize != 0) records = [];
        else records = records[Magic.Length..];
        var entries = new Dictionary<(ulong, ulong), (FileIdentity, FileDigest)>(records.Length / RecordSize);
        for (; records.Length >= RecordSize; records = records[RecordSize..])
        {
            var identity = new FileIdentity(BinaryPrimitives.ReadUInt64LittleEndian(records), BinaryPrimitives.ReadUInt64LittleEndian(records[8..]),
                                            BinaryPrimitives.ReadInt64LittleEndian(records[16..]), BinaryPrimitives.ReadInt64LittleEndian(records[24..]),
                                            BinaryPrimitives.ReadInt64LittleEndian(records[32..]));
            entries[(identity.Device, identity.Inode)] = (identity, FileDigest.Read(records[40..]));
        }
        return new FileDigestCache(path, entries);
    }

    /// <summary>
    /// The SHA-256 of a regular file's bytes. <paramref name="known"/> is the file's identity when the caller has just
    /// lstat'ed it (COPY planning does), which saves a second lstat per file.
    /// </summary>
    public FileDigest DigestOf(string file, FileIdentity? known = null)
    {
        var before = known ?? FileIdentity.Of(Libc.LStat(file));
        var key = (before.Device, before.Inode);
        if (entries.TryGetValue(key, out var cached) && cached.Identity == before) return cached.Digest;

        var settled = before.CtimeNs < (DateTimeOffset.UtcNow - SettledAge).ToUnixTimeMilliseconds() * 1_000_000;
        Span<byte> hash = stackalloc byte[32];
        using (var stream = File.OpenRead(file)) SHA256.HashData(stream, hash);
        var digest = FileDigest.Read(hash);
        if (settled && before == FileIdentity.Of(Libc.LStat(file)))
        {
            entries[key] = (before, digest);
            changed = true;
        }
        else if (entries.Remove(key)) changed = true;
        return digest;
    }

    /// <summary>Writes the cache back if a digest was learned or dropped (temp file and rename: a reader never sees half of it).</summary>
    public void Save(string tempDirectory)
    {
        if (!changed) return;
        var bytes = new byte[Magic.Length + entries.Count * RecordSize];
        Magic.CopyTo(bytes, 0);
        var record = bytes.AsSpan(Magic.Length);
        foreach (var (identity, digest) in entries.Values)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(record, identity.Device);
            BinaryPrimitives.WriteUInt64LittleEndian(record[8..], identity.Inode);
            BinaryPrimitives.WriteInt64LittleEndian(record[16..], identity.Size);
            BinaryPrimitives.WriteInt64LittleEndian(record[24..], identity.MtimeNs);
            BinaryPrimitives.WriteInt64LittleEndian(record[32..], identity.CtimeNs);
            digest.Write(record[40..]);
            record = record[RecordSize..];
        }
        var temp = Path.Combine(tempDirectory, $".file-digests-{Guid.NewGuid():N}");
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
        changed = false;
    }
}

/// <summary>What says a file is unchanged: device, inode, size, mtime and ctime (nanoseconds).</summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode, long Size, long MtimeNs, long CtimeNs)
{
    internal static FileIdentity Of(in Libc.FileStatus s) =>
        new(s.Device, s.Inode, s.Size, s.MtimeSeconds * 1_000_000_000 + s.MtimeNanoseconds, s.CtimeSeconds * 1_000_000_000 + s.CtimeNanoseconds);
}

/// <summary>A SHA-256 held in four words (no array, no string until one is asked for).</summary>
public readonly record struct FileDigest(ulong A, ulong B, ulong C, ulong D)
{
    public static FileDigest Read(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));

    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], D);
    }

    /// <summary>The 64 lowercase hex digits into <paramref name="destination"/> (at least 64 long).</summary>
    public void FormatHex(Span<char> destination)
    {
        Span<byte> bytes = stackalloc byte[32];
        Write(bytes);
        Convert.TryToHexStringLower(bytes, destination, out _);
    }

    public override string ToString()
    {
        Span<char> hex = stackalloc char[64];
        FormatHex(hex);
        return new string(hex);
    }
}
