using System.Security.Cryptography;
using Registry.Oci;
using Registry.Storage.Uploads;

namespace Registry.Api.Proxy;

/// <summary>
/// One download of a blob from an upstream, shared by every client that asks for it meanwhile. The bytes go to
/// a temp file while the digest is computed; readers tail that file (so the first client does not wait for
/// the whole blob), and once the digest is verified the file is published through the normal upload path
/// (which verifies it again) and linked to the repository. Nothing unverified is ever stored.
/// </summary>
public sealed class BlobFetch(string tempPath)
{
    private readonly TaskCompletionSource headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource downloaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource stored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long written;

    /// <summary>The blob's size as the upstream announced it; known once <see cref="Headers"/> completes.</summary>
    public long? Length { get; private set; }
    /// <summary>Completes when the upstream answered (faults when it refused).</summary>
    public Task Headers => headers.Task;
    /// <summary>Completes when the blob is in our store and linked (faults when anything failed).</summary>
    public Task Stored => stored.Task;
    public long Written => Interlocked.Read(ref written);

    /// <summary>Downloads, verifies and publishes; every failure ends in the tasks, never thrown.</summary>
    public async Task RunAsync(UpstreamClient upstream, string remoteName, Digest digest, string repository,
        IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await upstream.SendAsync(HttpMethod.Get, remoteName, $"v2/{remoteName}/blobs/{digest}", null, bounded: false, cancellationToken);
            if (!response.IsSuccessStatusCode) throw new UpstreamException($"upstream answered {(int)response.StatusCode} for blob {digest}", null, (int)response.StatusCode);
            await DownloadAsync(response, digest, cancellationToken);
            downloaded.TrySetResult();
            Pulse();
            await using var scope = scopes.CreateAsyncScope();
            var uploads = scope.ServiceProvider.GetRequiredService<UploadSessionService>();
            var session = await uploads.StartAsync(repository, cancellationToken);
            await using (var file = File.OpenRead(tempPath)) session = await uploads.AppendAsync(session, file, completing: true, cancellationToken);
            await uploads.CompleteAsync(session, digest, cancellationToken);
            stored.TrySetResult();
        }
        catch (Exception e)
        {
            headers.TrySetException(e);
            downloaded.TrySetException(e);
            stored.TrySetException(e);
            Pulse();
        }
    }

    private async Task DownloadAsync(HttpResponseMessage response, Digest digest, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(digest.HashAlgorithm);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        // Unbuffered, so every byte counted in Written is visible to a reader's own handle.
        await using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0))
        {
            // Readers may join from here on: the file they tail exists.
            Length = response.Content.Headers.ContentLength;
            headers.TrySetResult();
            var buffer = new byte[128 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                hash.AppendData(buffer, 0, read);
                Interlocked.Add(ref written, read);
                Pulse();
            }
        }
        var actual = Digest.FromHash(digest.Algorithm, hash.GetHashAndReset());
        if (actual != digest) throw new UpstreamException($"upstream sent bytes of {actual} for {digest}; not stored");
        if (Length is { } length && length != Written) throw new UpstreamException($"upstream sent {Written} bytes of the announced {length}");
    }

    /// <summary>A stream of the blob's bytes as they arrive; null when the temp file is already gone (the blob is stored by then).</summary>
    public Stream? TryOpenReader()
    {
        try
        {
            return new Reader(this, new FileStream(tempPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Removes the temp file; readers that opened it keep reading their handle.</summary>
    public void DeleteTempFile()
    {
        try { File.Delete(tempPath); } catch (IOException) { }
    }

    private void Pulse() => Interlocked.Exchange(ref progress, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task WaitBeyondAsync(long position, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref progress).Task;
        if (Written > position || downloaded.Task.IsCompleted) return;
        await next.WaitAsync(cancellationToken);
    }

    /// <summary>Reads the temp file up to what is written, waiting for more until the download ends.</summary>
    private sealed class Reader(BlobFetch fetch, FileStream file) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                var available = fetch.Written - file.Position;
                if (available > 0) return await file.ReadAsync(buffer[..(int)Math.Min(buffer.Length, available)], cancellationToken);
                if (fetch.downloaded.Task.IsCompleted)
                {
                    await fetch.downloaded.Task; // rethrows a failed download: the client sees a cut stream, never bad bytes as good
                    if (fetch.Written == file.Position) return 0;
                    continue;
                }
                await fetch.WaitBeyondAsync(file.Position, cancellationToken);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => file.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) file.Dispose();
            base.Dispose(disposing);
        }
    }
}
