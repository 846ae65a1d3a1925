using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Registry.Bench;

/// <summary>
/// Makes unique blob contents cheaply: a fixed random block repeated, with a salt stamped at the start of
/// every MiB so that no two blobs (and no two MiB of one blob) share a digest. Unique bytes matter: a
/// registry that deduplicates must not be able to skip the work the workload means to measure.
/// </summary>
public static class BlobData
{
    public const int MiB = 1024 * 1024;

    static readonly byte[] RandomBlock = RandomNumberGenerator.GetBytes(MiB);

    /// <summary>A run-unique prefix so repeated runs against one registry still push new content.</summary>
    public static readonly long RunNonce = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));

    public static byte[] Create(int size, long salt)
    {
        var data = new byte[size];
        Fill(data, salt, 0);
        return data;
    }

    /// <summary>Fills <paramref name="buffer"/> as the bytes at <paramref name="position"/> of blob <paramref name="salt"/>.</summary>
    public static void Fill(Span<byte> buffer, long salt, long position)
    {
        for (var written = 0; written < buffer.Length;)
        {
            var inBlock = (int)((position + written) % MiB);
            var count = Math.Min(MiB - inBlock, buffer.Length - written);
            RandomBlock.AsSpan(inBlock, count).CopyTo(buffer[written..]);
            written += count;
        }
        Stamp(buffer, salt, position);
    }

    /// <summary>
    /// Writes only the per-MiB stamps (16 bytes: run nonce, then salt mixed with the MiB index): turning a
    /// filled buffer into another blob's bytes costs nothing, so timed loops can reuse one large buffer.
    /// </summary>
    public static void Stamp(Span<byte> buffer, long salt, long position)
    {
        Span<byte> full = stackalloc byte[16];
        for (var boundary = (position + MiB - 1) / MiB * MiB; boundary < position + buffer.Length; boundary += MiB)
        {
            var at = (int)(boundary - position);
            var stamp = buffer[at..Math.Min(at + 16, buffer.Length)];
            BinaryPrimitives.WriteInt64LittleEndian(full, RunNonce);
            BinaryPrimitives.WriteInt64LittleEndian(full[8..], salt ^ (boundary / MiB << 40));
            full[..stamp.Length].CopyTo(stamp);
        }
    }

    public static string Digest(ReadOnlySpan<byte> data) => Oci.Digest.Sha256Of(data).ToString();
}
