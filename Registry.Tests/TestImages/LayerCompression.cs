using System.IO.Compression;
using ZstdSharp;

namespace Registry.Tests.TestImages;

public enum LayerCompression { None, Gzip, Zstd }

internal static class LayerCompressionExtensions
{
    /// <summary>Wraps <paramref name="output"/> in a compressor; disposing the result finishes the stream but leaves output open.</summary>
    public static Stream Compress(this LayerCompression compression, Stream output) => compression switch
    {
        LayerCompression.None => new NonClosingStream(output),
        LayerCompression.Gzip => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
        LayerCompression.Zstd => new CompressionStream(output, level: 3, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };

    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
