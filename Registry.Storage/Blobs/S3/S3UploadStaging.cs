using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Registry.Storage.Blobs.S3;

/// <summary>
/// Upload staging in the bucket: <c>uploads/&lt;id&gt;/index</c> lists the committed segments and
/// <c>uploads/&lt;id&gt;/seg-&lt;offset&gt;</c> holds each one. A PATCH body is cut into segments of at most
/// <see cref="SegmentSize"/> bytes, so memory per request stays bounded whatever the body's length.
/// The Minio SDK 7.0.0 keeps its multipart part calls private, so S3 parts (≥ 5 MiB) are formed only
/// when publishing, by streaming the segments into one multipart upload of the final object.
/// </summary>
internal sealed class S3UploadStaging(S3ObjectClient client)
{
    /// <summary>Below S3's 5 MiB multipart threshold, so each segment is one plain PUT.</summary>
    public const int SegmentSize = 4 * 1024 * 1024;

    public async Task BeginAsync(string uploadId, CancellationToken cancellationToken) =>
        await WriteIndexAsync(uploadId, S3UploadIndex.Empty, cancellationToken);

    public async Task<S3UploadIndex> ReadIndexAsync(string uploadId, CancellationToken cancellationToken)
    {
        await using var stream = await client.OpenReadAsync(IndexKey(uploadId), 0, null, cancellationToken)
            ?? throw new UploadNotFoundException(uploadId);
        using var reader = new StreamReader(stream);
        return S3UploadIndex.Parse(await reader.ReadToEndAsync(cancellationToken));
    }

    public async Task<long> AppendAsync(string uploadId, long offset, Stream data, CancellationToken cancellationToken)
    {
        var stored = await ReadIndexAsync(uploadId, cancellationToken);
        if (stored.Length < offset) throw new UploadOffsetMismatchException(uploadId, offset, stored.Length);
        // Bytes past the acknowledged offset come from a request that failed after committing: drop them.
        var index = stored.TruncatedTo(offset) ?? throw new UploadOffsetMismatchException(uploadId, offset, stored.Length);
        var added = new List<S3Segment>();
        var buffer = ArrayPool<byte>.Shared.Rent(SegmentSize);
        try
        {
            var position = offset;
            while (true)
            {
                var filled = await StreamChunks.FillAsync(data, buffer.AsMemory(0, SegmentSize), cancellationToken);
                if (filled == 0) break;
                using var piece = new MemoryStream(buffer, 0, filled, writable: false);
                await client.PutAsync(SegmentKey(uploadId, position), piece, filled, cancellationToken);
                added.Add(new S3Segment(position, filled));
                position += filled;
                if (filled < SegmentSize) break;
            }
            if (added.Count > 0 || !ReferenceEquals(index, stored))
                await WriteIndexAsync(uploadId, index.With(added), cancellationToken);
            return position;
        }
        catch
        {
            // Nothing was committed: remove what this request wrote so no bytes are orphaned.
            await RemoveQuietlyAsync(added.Select(s => SegmentKey(uploadId, s.Offset)));
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The committed bytes of an upload, read segment by segment.</summary>
    public Stream OpenRead(string uploadId, S3UploadIndex index)
    {
        var parts = index.Segments.Select<S3Segment, Func<CancellationToken, Task<Stream>>>(segment => async token =>
            await client.OpenReadAsync(SegmentKey(uploadId, segment.Offset), 0, null, token)
                ?? throw new StoreUnavailableException($"segment {segment.Offset} of upload {uploadId} is missing from the bucket")).ToList();
        return new ConcatenatedStream(parts, index.Length);
    }

    public async Task DeleteAsync(string uploadId, CancellationToken cancellationToken)
    {
        var prefix = ObjectStoreLayout.UploadPrefix(uploadId);
        // The index goes first: once it is gone the session is over, whatever removal follows.
        var keys = new List<string> { IndexKey(uploadId) };
        await foreach (var item in client.ListAsync(prefix, cancellationToken))
            if (item.Key != keys[0]) keys.Add(item.Key);
        foreach (var key in keys) await client.RemoveAsync(key, cancellationToken);
    }

    /// <summary>Every upload with anything staged (segments and index), including the remains of half-deleted sessions.</summary>
    public async IAsyncEnumerable<StagedUpload> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StagedUpload? current = null;
        await foreach (var item in client.ListAsync(ObjectStoreLayout.UploadsPrefix, cancellationToken))
        {
            if (ObjectStoreLayout.UploadIdOf(item.Key) is not { } id) continue;
            // Keys are listed in order, so one id's objects are adjacent: sum their sizes, keep the latest write.
            if (current is not null && current.Id == id)
            {
                current = current with
                {
                    Bytes = current.Bytes + item.Size,
                    LastModified = item.LastModified > current.LastModified ? item.LastModified : current.LastModified,
                };
                continue;
            }
            if (current is not null) yield return current;
            current = new StagedUpload(id, item.Size, item.LastModified);
        }
        if (current is not null) yield return current;
    }

    private async Task WriteIndexAsync(string uploadId, S3UploadIndex index, CancellationToken cancellationToken)
    {
        using var bytes = new MemoryStream(index.Serialize(), writable: false);
        await client.PutAsync(IndexKey(uploadId), bytes, bytes.Length, cancellationToken);
    }

    private async Task RemoveQuietlyAsync(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            try { await client.RemoveAsync(key, CancellationToken.None); }
            catch (StoreUnavailableException) { } // the purge of abandoned uploads removes it later
        }
    }

    private static string IndexKey(string uploadId) => ObjectStoreLayout.UploadPrefix(uploadId) + "index";

    private static string SegmentKey(string uploadId, long offset) =>
        ObjectStoreLayout.UploadPrefix(uploadId) + "seg-" + offset.ToString("D19", CultureInfo.InvariantCulture);
}
