using System.Security.Cryptography;
using Registry.Oci;

namespace Registry.Tests.BlobStores;

/// <summary>
/// A forward-only stream of <c>length</c> pseudo-random bytes made on the fly, so tests can push
/// large blobs without holding them in memory. The same seed always gives the same bytes.
/// </summary>
public sealed class PatternStream(long length, int seed) : Stream
{
    private readonly Random random = new(seed);
    private long position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - position);
        random.NextBytes(buffer[..count]);
        position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>The sha256 digest of a whole stream, read in small pieces.</summary>
    public static async Task<(Digest Digest, long Length)> DigestOfAsync(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }
        return (Digest.FromHash("sha256", hash.GetHashAndReset()), total);
    }
}
