using System.Text;

namespace RuntimeAgent.Build.Layers;

/// <summary>
/// Writes a PAX extended header ('x') carrying a file's xattrs as raw bytes, just before the entry it describes.
/// TarWriter takes PAX values only as strings and would UTF-8-encode them, and a <c>security.capability</c> blob
/// has bytes ≥ 0x80. Readers (GNU tar, Go's archive/tar, the agent's LayerTarReader) apply an 'x' header to the
/// next entry whatever that entry's format.
/// See: https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html#tag_20_94_13_03
/// </summary>
internal static class PaxXattrHeader
{
    private const int Block = 512;

    public static void Write(Stream tar, string entryName, IReadOnlyList<KeyValuePair<string, byte[]>> xattrs, long mtime)
    {
        using var records = new MemoryStream();
        foreach (var (attribute, value) in xattrs) WriteRecord(records, Encoding.UTF8.GetBytes("SCHILY.xattr." + attribute), value);

        var header = new byte[Block];
        var name = Encoding.UTF8.GetBytes("PaxHeaders/" + Path.GetFileName(entryName.TrimEnd('/')));
        name.AsSpan(0, Math.Min(name.Length, 100)).CopyTo(header);
        Octal(header.AsSpan(100, 8), 0b110_100_100);
        Octal(header.AsSpan(108, 8), 0);
        Octal(header.AsSpan(116, 8), 0);
        Octal(header.AsSpan(124, 12), records.Length);
        Octal(header.AsSpan(136, 12), mtime);
        header[156] = (byte)'x';
        "ustar\000"u8.CopyTo(header.AsSpan(257));
        header.AsSpan(148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in header) sum += b;
        Octal(header.AsSpan(148, 7), sum);

        tar.Write(header);
        tar.Write(records.GetBuffer().AsSpan(0, (int)records.Length));
        tar.Write(new byte[(Block - records.Length % Block) % Block]);
    }

    /// <summary>One record, <c>LEN KEY=VALUE\n</c>, where LEN counts the whole record including its own digits.</summary>
    private static void WriteRecord(Stream records, byte[] key, byte[] value)
    {
        var rest = 1 + key.Length + 1 + value.Length + 1; // ' ' key '=' value '\n'
        var length = rest + Digits(rest);
        if (Digits(length) != Digits(rest)) length++;
        records.Write(Encoding.ASCII.GetBytes($"{length} "));
        records.Write(key);
        records.WriteByte((byte)'=');
        records.Write(value);
        records.WriteByte((byte)'\n');
    }

    private static int Digits(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    /// <summary>Zero-padded octal digits filling all but the last byte of the field, which is NUL.</summary>
    private static void Octal(Span<byte> field, long value) =>
        Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(field.Length - 1, '0')).CopyTo(field);
}
