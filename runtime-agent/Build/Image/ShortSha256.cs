using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace RuntimeAgent.Build.Image;

/// <summary>
/// SHA-256 (FIPS 180-4) in managed code, for the builder's step keys: a few hundred bytes per step.
/// System.Security.Cryptography would load and initialise OpenSSL for them, and that is about a sixth of a
/// fully cached rebuild (docs/PERFORMANCE.md, "Cached rebuild"). File contents and blobs, where throughput
/// matters, still go through OpenSSL (SHA-NI, about 1.6 GB/s here; this loop is many times slower).
/// The keys stay cryptographic: a key that could be made to collide would let one recipe poison another's cache.
/// See: https://nvlpubs.nist.gov/nistpubs/FIPS/NIST.FIPS.180-4.pdf
/// </summary>
public sealed class ShortSha256
{
    private static readonly uint[] RoundConstants =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private readonly uint[] state = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    private readonly byte[] pending = new byte[64];
    private int pendingLength;
    private long totalLength;

    /// <summary>The lowercase hex digest of a string's UTF-8 bytes.</summary>
    public static string HexOf(string text)
    {
        var hash = new ShortSha256();
        hash.Append(text);
        return hash.FinishHex();
    }

    public void Append(string text) => Append(text.AsSpan());

    /// <summary>Appends text as UTF-8 through a stack buffer: keying hundreds of COPY entries allocates nothing per entry.</summary>
    public void Append(ReadOnlySpan<char> text)
    {
        Span<byte> buffer = stackalloc byte[768];
        while (text.Length > 0)
        {
            var take = Math.Min(text.Length, 256); // at most 3 UTF-8 bytes per UTF-16 unit
            if (take < text.Length && char.IsHighSurrogate(text[take - 1])) take--;
            var written = Encoding.UTF8.GetBytes(text[..take], buffer);
            Append((ReadOnlySpan<byte>)buffer[..written]);
            text = text[take..];
        }
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        totalLength += data.Length;
        if (pendingLength > 0)
        {
            var take = Math.Min(64 - pendingLength, data.Length);
            data[..take].CopyTo(pending.AsSpan(pendingLength));
            pendingLength += take;
            data = data[take..];
            if (pendingLength < 64) return;
            Compress(pending);
            pendingLength = 0;
        }
        for (; data.Length >= 64; data = data[64..]) Compress(data[..64]);
        data.CopyTo(pending);
        pendingLength = data.Length;
    }

    /// <summary>Pads, finishes and returns the digest as lowercase hex; the instance is spent afterwards.</summary>
    public string FinishHex()
    {
        var bitLength = totalLength * 8;
        Span<byte> padding = stackalloc byte[72];
        padding.Clear();
        padding[0] = 0x80;
        // Pad to 56 mod 64, then the message length in bits, big-endian.
        var padLength = (pendingLength < 56 ? 56 : 120) - pendingLength;
        BinaryPrimitives.WriteInt64BigEndian(padding[padLength..], bitLength);
        Append(padding[..(padLength + 8)]);

        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < 8; i++) BinaryPrimitives.WriteUInt32BigEndian(digest[(i * 4)..], state[i]);
        return Convert.ToHexStringLower(digest);
    }

    private void Compress(ReadOnlySpan<byte> block)
    {
        Span<uint> w = stackalloc uint[64];
        for (var i = 0; i < 16; i++) w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(i * 4)..]);
        for (var i = 16; i < 64; i++)
        {
            var s0 = BitOperations.RotateRight(w[i - 15], 7) ^ BitOperations.RotateRight(w[i - 15], 18) ^ (w[i - 15] >> 3);
            var s1 = BitOperations.RotateRight(w[i - 2], 17) ^ BitOperations.RotateRight(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        for (var i = 0; i < 64; i++)
        {
            var sum1 = BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25);
            var choice = (e & f) ^ (~e & g);
            var t1 = h + sum1 + choice + RoundConstants[i] + w[i];
            var sum0 = BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22);
            var majority = (a & b) ^ (a & c) ^ (b & c);
            var t2 = sum0 + majority;
            h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }
}
