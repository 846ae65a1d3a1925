using System.IO.Compression;
using System.Security.Cryptography;
using Registry.Oci;

namespace RuntimeAgent.Unpack;

/// <summary>Opens a layer blob as its uncompressed tar, whatever the media type claims: the magic bytes decide.</summary>
public static class LayerDecompression
{
    public static Stream Open(Stream blob)
    {
        var buffered = new BufferedStream(blob, 1 << 20);
        Span<byte> magic = stackalloc byte[4];
        var read = buffered.Read(magic);
        buffered.Position = 0;
        if (read >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return new GZipStream(buffered, CompressionMode.Decompress);
        if (read == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
            return new ZstdSharp.DecompressionStream(buffered);
        return buffered;
    }
}

/// <summary>
/// Hashes and counts the uncompressed tar as the unpacker consumes it: the hash is the layer's diff_id, and the
/// count enforces the size cap (a blob's digest and size bound only the compressed bytes).
/// </summary>
public sealed class DigestingStream(Stream inner, Digest expected, long maxBytes) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(expected.HashAlgorithm);

    public long BytesRead { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        BytesRead += read;
        if (BytesRead > maxBytes)
            throw new LayerRefusedException($"layer {expected} uncompresses to more than the {maxBytes}-byte cap");
        hash.AppendData(buffer[..read]);
        return read;
    }

    /// <summary>Reads what the tar reader left (end-of-archive blocks, padding) and returns the digest of everything.</summary>
    public Digest Finish()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer) > 0) { }
        return Digest.FromHash(expected.Algorithm, hash.GetHashAndReset());
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { hash.Dispose(); inner.Dispose(); }
        base.Dispose(disposing);
    }
}
