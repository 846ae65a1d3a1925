using System.Formats.Tar;
using System.Text;

namespace RuntimeAgent.Unpack;

/// <summary>
/// Reads a layer tar (ustar, GNU and PAX, as image builders write them) from a forward-only stream. It exists
/// because <c>TarReader</c> hands PAX records out only as UTF-8 strings, which corrupts binary xattr values.
/// Only what a root filesystem can hold is understood: PAX <c>x</c>/<c>g</c> headers, GNU long names (<c>L</c>,
/// <c>K</c>); sparse files are refused; other types reach the caller, which refuses them. Malformed input throws
/// <see cref="InvalidDataException"/> or <see cref="EndOfStreamException"/>.
/// See: https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html
/// </summary>
internal sealed class LayerTarReader(Stream archive)
{
    private const int Block = 512;
    /// <summary>Bound on one PAX header or GNU long name, which is held in memory (Linux caps xattrs at 64 KiB each).</summary>
    private const int MaxMetadataBytes = 1 << 20;

    private readonly byte[] header = new byte[Block];
    private readonly Dictionary<string, byte[]> globalRecords = new(StringComparer.Ordinal);
    private EntryData? current;

    /// <summary>The next file entry, or null at the end of the archive (a zero block, or the end of the stream).</summary>
    public LayerEntry? Next()
    {
        current?.SkipRest();
        current = null;
        var records = new Dictionary<string, byte[]>(globalRecords, StringComparer.Ordinal);
        string? longName = null, longLink = null;
        while (true)
        {
            if (!ReadHeader()) return null;
            var type = (TarEntryType)header[156];
            var size = TarFields.Number(header.AsSpan(124, 12), "size");
            switch (type)
            {
                case TarEntryType.ExtendedAttributes:
                    PaxRecords.ParseInto(ReadMetadata(size), records);
                    continue;
                case TarEntryType.GlobalExtendedAttributes:
                    var global = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                    PaxRecords.ParseInto(ReadMetadata(size), global);
                    foreach (var (key, value) in global) globalRecords[key] = records[key] = value;
                    continue;
                case TarEntryType.LongPath:
                    longName = TarFields.Text(ReadMetadata(size));
                    continue;
                case TarEntryType.LongLink:
                    longLink = TarFields.Text(ReadMetadata(size));
                    continue;
            }
            return Entry(type, size, records, longName, longLink);
        }
    }

    private LayerEntry Entry(TarEntryType type, long size, Dictionary<string, byte[]> records, string? longName, string? longLink)
    {
        if (records.Keys.Any(key => key.StartsWith("GNU.sparse.", StringComparison.Ordinal)) || type == TarEntryType.SparseFile)
            throw new InvalidDataException("sparse files are not supported in layers");
        var h = header.AsSpan();
        var name = TarFields.Text(h[..100]);
        // Only POSIX ustar has a name prefix; GNU headers keep access and change times in those bytes.
        if (h[257..263].SequenceEqual("ustar\0"u8) && TarFields.Text(h[345..500]) is { Length: > 0 } prefix) name = $"{prefix}/{name}";
        name = Text(records, "path") ?? longName ?? name;
        var linkName = Text(records, "linkpath") ?? longLink ?? TarFields.Text(h[157..257]);
        if (records.TryGetValue("size", out var paxSize) && paxSize.Length > 0) size = TarFields.Decimal(paxSize, "size");
        var mtime = records.TryGetValue("mtime", out var paxTime) && paxTime.Length > 0
            ? TarFields.PaxTime(paxTime)
            : DateTimeOffset.FromUnixTimeSeconds(TarFields.Number(h[136..148], "mtime"));
        current = new EntryData(archive, size);
        return new LayerEntry(
            name, type, linkName,
            Mode: (uint)(TarFields.Number(h[100..108], "mode") & 0xFFF),
            Uid: Id(records, "uid", h[108..116]),
            Gid: Id(records, "gid", h[116..124]),
            mtime,
            DeviceMajor: (int)TarFields.Number(h[329..337], "devmajor"),
            DeviceMinor: (int)TarFields.Number(h[337..345], "devminor"),
            PaxRecords.Xattrs(records),
            current);
    }

    private static string? Text(Dictionary<string, byte[]> records, string key) =>
        records.TryGetValue(key, out var value) && value.Length > 0 ? Encoding.UTF8.GetString(value) : null;

    private static int Id(Dictionary<string, byte[]> records, string key, ReadOnlySpan<byte> field)
    {
        var id = records.TryGetValue(key, out var value) && value.Length > 0 ? TarFields.Decimal(value, key) : TarFields.Number(field, key);
        return id <= int.MaxValue ? (int)id : throw new InvalidDataException($"{key} {id} is out of range");
    }

    /// <summary>Reads a header block; false at the end of the archive. The checksum guards against reading data as a header.</summary>
    private bool ReadHeader()
    {
        var read = archive.ReadAtLeast(header, Block, throwOnEndOfStream: false);
        if (read == 0) return false;
        if (read < Block) throw new EndOfStreamException("the tar ends inside a header block");
        if (!header.AsSpan().ContainsAnyExcept((byte)0)) return false;
        if (!TarFields.ChecksumMatches(header)) throw new InvalidDataException("a tar header has a bad checksum");
        return true;
    }

    private byte[] ReadMetadata(long size)
    {
        if (size > MaxMetadataBytes) throw new InvalidDataException($"a tar metadata entry of {size} bytes exceeds the {MaxMetadataBytes}-byte limit");
        var data = new byte[size];
        archive.ReadExactly(data);
        Skip(archive, Padding(size));
        return data;
    }

    private static long Padding(long size) => (Block - size % Block) % Block;

    private static void Skip(Stream stream, long count)
    {
        Span<byte> scratch = stackalloc byte[8 * Block];
        while (count > 0)
        {
            var chunk = (int)Math.Min(count, scratch.Length);
            stream.ReadExactly(scratch[..chunk]);
            count -= chunk;
        }
    }

    /// <summary>An entry's data: at most its size, then its padding is skipped when the next entry is read.</summary>
    private sealed class EntryData(Stream archive, long size) : Stream
    {
        private long consumed;
        private long Remaining => size - consumed;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (Remaining == 0 || buffer.IsEmpty) return 0;
            var read = archive.Read(buffer[..(int)Math.Min(buffer.Length, Remaining)]);
            if (read == 0) throw new EndOfStreamException("the tar ends inside an entry's data");
            consumed += read;
            return read;
        }

        public void SkipRest()
        {
            Skip(archive, Remaining + Padding(size));
            consumed = size;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => size;
        public override long Position { get => consumed; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
