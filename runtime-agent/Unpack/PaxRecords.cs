using System.Globalization;
using System.Text;

namespace RuntimeAgent.Unpack;

/// <summary>
/// Parses the data of a PAX extended header: records <c>LEN KEY=VALUE\n</c>, LEN counting the whole record in
/// bytes. Values stay bytes because xattr values are binary (a <c>security.capability</c> blob has bytes ≥ 0x80),
/// which .NET's <c>PaxTarEntry.ExtendedAttributes</c> decodes as UTF-8 and so corrupts.
/// See: https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html#tag_20_94_13_03
/// </summary>
internal static class PaxRecords
{
    /// <summary>Adds the records of <paramref name="data"/> to <paramref name="records"/>, a later key replacing an earlier one.</summary>
    public static void ParseInto(ReadOnlySpan<byte> data, Dictionary<string, byte[]> records)
    {
        while (data.Length > 0)
        {
            var space = data.IndexOf((byte)' ');
            if (space <= 0
                || !int.TryParse(data[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length <= space + 1 || length > data.Length || data[length - 1] != (byte)'\n')
                throw new InvalidDataException("malformed PAX extended header record");
            var record = data[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0) throw new InvalidDataException("PAX extended header record without a key");
            records[Encoding.UTF8.GetString(record[..equals])] = record[(equals + 1)..].ToArray();
            data = data[length..];
        }
    }

    /// <summary>The xattrs among <paramref name="records"/>: <c>SCHILY.xattr.NAME</c> (raw value, GNU tar, Go, .NET) and <c>LIBARCHIVE.xattr.NAME</c> (URL-encoded name, base64 value).</summary>
    public static List<KeyValuePair<string, byte[]>> Xattrs(IReadOnlyDictionary<string, byte[]> records)
    {
        const string schily = "SCHILY.xattr.", libarchive = "LIBARCHIVE.xattr.";
        var xattrs = new List<KeyValuePair<string, byte[]>>();
        foreach (var (key, value) in records)
        {
            if (key.StartsWith(schily, StringComparison.Ordinal) && key.Length > schily.Length)
                xattrs.Add(new(key[schily.Length..], value));
            else if (key.StartsWith(libarchive, StringComparison.Ordinal) && key.Length > libarchive.Length)
                xattrs.Add(new(Uri.UnescapeDataString(key[libarchive.Length..]), Base64(value)));
        }
        return xattrs;
    }

    private static byte[] Base64(byte[] value)
    {
        try
        {
            // libarchive omits the '=' padding.
            var text = Encoding.ASCII.GetString(value);
            return Convert.FromBase64String(text.PadRight(text.Length + (4 - text.Length % 4) % 4, '='));
        }
        catch (FormatException)
        {
            throw new InvalidDataException("LIBARCHIVE.xattr value is not base64");
        }
    }
}
