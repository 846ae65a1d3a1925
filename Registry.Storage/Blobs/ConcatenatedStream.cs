namespace Registry.Storage.Blobs;

/// <summary>
/// Reads several streams one after another, opening each only when the previous one is exhausted,
/// so a blob staged as many pieces streams with one open connection at a time.
/// </summary>
internal sealed class ConcatenatedStream(IReadOnlyList<Func<CancellationToken, Task<Stream>>> parts, long length) : Stream
{
    private int next;
    private Stream? current;
    private long position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            if (current is null)
            {
                if (next == parts.Count) return 0;
                current = await parts[next++](cancellationToken);
            }
            var read = await current.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                position += read;
                return read;
            }
            await current.DisposeAsync();
            current = null;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous reads are rare (some SDKs use them); they block on the async path.
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) current?.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (current is not null) await current.DisposeAsync();
        await base.DisposeAsync();
    }
}
