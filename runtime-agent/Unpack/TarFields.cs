using System.Globalization;
using System.Text;

namespace RuntimeAgent.Unpack;

/// <summary>
/// The fields of a 512-byte ustar/GNU header block and of PAX values: NUL-terminated text, octal or base-256
/// numbers (GNU's form for values that do not fit), PAX decimal times.
/// See: https://www.gnu.org/software/tar/manual/html_node/Standard.html
/// </summary>
internal static class TarFields
{
    public static string Text(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    public static long Number(ReadOnlySpan<byte> field, string what)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            if ((field[0] & 0x40) != 0) throw new InvalidDataException($"tar header field {what} is negative");
            long binary = field[0] & 0x3F;
            foreach (var b in field[1..])
            {
                if (binary > long.MaxValue >> 8) throw new InvalidDataException($"tar header field {what} is too large");
                binary = (binary << 8) | b;
            }
            return binary;
        }
        var trimmed = field.TrimStart((byte)' ');
        var end = trimmed.IndexOfAny((byte)0, (byte)' ');
        var digits = end < 0 ? trimmed : trimmed[..end];
        long value = 0;
        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'7' || value > long.MaxValue >> 3)
                throw new InvalidDataException($"tar header field {what} is not an octal number");
            value = (value << 3) | (long)(digit - '0');
        }
        return value;
    }

    public static long Decimal(byte[] value, string what) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number : throw new InvalidDataException($"PAX {what} '{Encoding.UTF8.GetString(value)}' is not a number");

    /// <summary>A PAX time: decimal seconds since the epoch with an optional fraction, e.g. <c>1580702706.5</c>.</summary>
    public static DateTimeOffset PaxTime(byte[] value)
    {
        var text = Encoding.ASCII.GetString(value);
        var negative = text.StartsWith('-');
        var parts = text.TrimStart('-').Split('.');
        if (parts.Length > 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (parts.Length == 2 && !parts[1].All(char.IsAsciiDigit)))
            throw new InvalidDataException($"PAX mtime '{text}' is not a time");
        var fraction = parts.Length == 2 ? parts[1].PadRight(7, '0')[..7] : "0";
        try
        {
            var ticks = checked(seconds * TimeSpan.TicksPerSecond + long.Parse(fraction, CultureInfo.InvariantCulture));
            return DateTimeOffset.UnixEpoch.AddTicks(negative ? -ticks : ticks);
        }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"PAX mtime '{text}' is out of range");
        }
    }

    /// <summary>Header checksum: the sum of all bytes with the checksum field read as spaces (signed sums also occur).</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> header)
    {
        long stored;
        try { stored = Number(header[148..156], "chksum"); }
        catch (InvalidDataException) { return false; }
        long unsigned = 8 * ' ', signed = 8 * ' ';
        for (var i = 0; i < header.Length; i++)
        {
            if (i is >= 148 and < 156) continue;
            unsigned += header[i];
            signed += (sbyte)header[i];
        }
        return stored == unsigned || stored == signed;
    }
}
