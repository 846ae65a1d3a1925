using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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
/// does not consult this cache.)
/// </summary>
public sealed class FileDigestCache
{
    private static readonly TimeSpan SettledAge = TimeSpan.FromSeconds(1);
    private readonly string path;
    private readonly Dictionary<string, Entry> entries;
    private bool changed;

    private readonly record struct Entry(ulong Device, ulong Inode, long Size, long MtimeNs, long CtimeNs, string Digest)
    {
        public bool Matches(in Libc.FileStatus status) =>
            Device == status.Device && Inode == status.Inode && Size == status.Size
            && MtimeNs == MtimeOf(status) && CtimeNs == CtimeOf(status);
    }

    private FileDigestCache(string path, Dictionary<string, Entry> entries)
    {
        this.path = path;
        this.entries = entries;
    }

    /// <summary>Reads the cache file; a missing or damaged one is an empty cache.</summary>
    public static FileDigestCache Load(string path)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (File.Exists(path))
            foreach (var line in File.ReadLines(path))
                if (Parse(line) is var (file, entry)) entries[file] = entry;
        return new FileDigestCache(path, entries);
    }

    /// <summary>The lowercase hex SHA-256 of a regular file's bytes.</summary>
    public string DigestOf(string file)
    {
        var before = Libc.LStat(file);
        if (entries.TryGetValue(file, out var known) && known.Matches(before)) return known.Digest;

        var settled = CtimeOf(before) < (DateTimeOffset.UtcNow - SettledAge).ToUnixTimeMilliseconds() * 1_000_000;
        string digest;
        using (var stream = File.OpenRead(file)) digest = Convert.ToHexStringLower(SHA256.HashData(stream));
        var learned = new Entry(before.Device, before.Inode, before.Size, MtimeOf(before), CtimeOf(before), digest);
        if (settled && !file.Contains('\n') && learned.Matches(Libc.LStat(file)))
        {
            entries[file] = learned;
            changed = true;
        }
        else if (entries.Remove(file)) changed = true;
        return digest;
    }

    /// <summary>Writes the cache back if a digest was learned or dropped (temp file and rename: a reader never sees half of it).</summary>
    public void Save(string tempDirectory)
    {
        if (!changed) return;
        var text = new StringBuilder();
        foreach (var (file, e) in entries)
            text.Append(CultureInfo.InvariantCulture, $"{e.Device} {e.Inode} {e.Size} {e.MtimeNs} {e.CtimeNs} {e.Digest} {file}\n");
        var temp = Path.Combine(tempDirectory, $".file-digests-{Guid.NewGuid():N}");
        File.WriteAllText(temp, text.ToString());
        File.Move(temp, path, overwrite: true);
        changed = false;
    }

    private static (string File, Entry Entry)? Parse(string line)
    {
        var fields = line.Split(' ', 7);
        if (fields.Length != 7 || fields[5].Length != 64) return null;
        return ulong.TryParse(fields[0], out var device) && ulong.TryParse(fields[1], out var inode)
            && long.TryParse(fields[2], out var size) && long.TryParse(fields[3], out var mtime) && long.TryParse(fields[4], out var ctime)
            ? (fields[6], new Entry(device, inode, size, mtime, ctime, fields[5]))
            : null;
    }

    private static long MtimeOf(in Libc.FileStatus s) => s.MtimeSeconds * 1_000_000_000 + s.MtimeNanoseconds;
    private static long CtimeOf(in Libc.FileStatus s) => s.CtimeSeconds * 1_000_000_000 + s.CtimeNanoseconds;
}
