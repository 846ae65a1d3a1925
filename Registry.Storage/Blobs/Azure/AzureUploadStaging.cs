using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Registry.Storage.Blobs.Azure;

/// <summary>
/// Upload staging as one block blob per session, <c>uploads/&lt;id&gt;/data</c>. Each append stages its
/// bytes as blocks of at most <see cref="BlockSize"/> and then commits the whole block list, conditional
/// on the blob's ETag: an append is all or nothing, and two writers on one session cannot interleave.
/// Blocks staged by an append that never committed are discarded by the service.
/// </summary>
internal sealed class AzureUploadStaging(BlobContainerClient container)
{
    public const int BlockSize = 4 * 1024 * 1024;

    public BlockBlobClient BlobOf(string uploadId) =>
        container.GetBlockBlobClient(ObjectStoreLayout.UploadPrefix(uploadId) + "data");

    public Task BeginAsync(string uploadId, CancellationToken cancellationToken) => AzureFailures.Guard(() =>
        BlobOf(uploadId).CommitBlockListAsync([], new CommitBlockListOptions(), cancellationToken), cancellationToken);

    /// <summary>The committed length of an upload, with the ETag to make the next commit conditional on.</summary>
    public Task<(long Length, ETag ETag)> GetStateAsync(string uploadId, CancellationToken cancellationToken) => AzureFailures.Guard(async () =>
    {
        try
        {
            var properties = (await BlobOf(uploadId).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return (properties.ContentLength, properties.ETag);
        }
        catch (RequestFailedException e) when (AzureFailures.IsNotFound(e))
        {
            throw new UploadNotFoundException(uploadId);
        }
    }, cancellationToken);

    public Task<long> AppendAsync(string uploadId, long offset, Stream data, CancellationToken cancellationToken) => AzureFailures.Guard(async () =>
    {
        var blob = BlobOf(uploadId);
        var (length, etag) = await GetStateAsync(uploadId, cancellationToken);
        if (length < offset) throw new UploadOffsetMismatchException(uploadId, offset, length);
        var blocks = await KeptBlocksAsync(uploadId, blob, offset, length, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var position = offset;
            var staged = 0;
            while (true)
            {
                var filled = await StreamChunks.FillAsync(data, buffer.AsMemory(0, BlockSize), cancellationToken);
                if (filled == 0) break;
                var id = BlockId(position);
                using var piece = new MemoryStream(buffer, 0, filled, writable: false);
                await blob.StageBlockAsync(id, piece, new BlockBlobStageBlockOptions(), cancellationToken);
                blocks.Add(id);
                position += filled;
                staged++;
                if (filled < BlockSize) break;
            }
            if (staged > 0 || length != offset) await CommitAsync(uploadId, blob, blocks, etag, offset, cancellationToken);
            return position;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }, cancellationToken);

    public Task DeleteAsync(string uploadId, CancellationToken cancellationToken) => AzureFailures.Guard(() =>
        BlobOf(uploadId).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken), cancellationToken);

    public async IAsyncEnumerable<StagedUpload> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = container.GetBlobsAsync(new GetBlobsOptions { Prefix = ObjectStoreLayout.UploadsPrefix }, cancellationToken);
        await using var items = pages.GetAsyncEnumerator(cancellationToken);
        while (await AzureFailures.Guard(async () => await items.MoveNextAsync(), cancellationToken))
            if (ObjectStoreLayout.UploadIdOf(items.Current.Name) is { } id)
                yield return new StagedUpload(id, items.Current.Properties.ContentLength ?? 0,
                    items.Current.Properties.LastModified ?? DateTimeOffset.UnixEpoch);
    }

    /// <summary>
    /// The committed block ids up to <paramref name="offset"/>: all of them normally; fewer when an
    /// append committed but its caller never recorded the new offset (those bytes are dropped).
    /// </summary>
    private static async Task<List<string>> KeptBlocksAsync(string uploadId, BlockBlobClient blob, long offset, long length, CancellationToken cancellationToken)
    {
        var committed = (await blob.GetBlockListAsync(BlockListTypes.Committed, cancellationToken: cancellationToken)).Value.CommittedBlocks;
        var kept = new List<string>();
        long end = 0;
        foreach (var block in committed)
        {
            if (end == offset) break;
            kept.Add(block.Name);
            end += block.SizeLong;
        }
        return end == offset ? kept : throw new UploadOffsetMismatchException(uploadId, offset, length);
    }

    private static async Task CommitAsync(string uploadId, BlockBlobClient blob, List<string> blocks, ETag etag, long offset, CancellationToken cancellationToken)
    {
        try
        {
            var conditions = new BlobRequestConditions { IfMatch = etag };
            await blob.CommitBlockListAsync(blocks, new CommitBlockListOptions { Conditions = conditions }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 412 or 409)
        {
            // Another request changed the session since we read it: this one's offset is stale.
            throw new UploadOffsetMismatchException(uploadId, offset, -1);
        }
    }

    // Block ids must all have the same length within a blob; the fixed-width offset also keeps them unique.
    public static string BlockId(long offset) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(offset.ToString("D19", CultureInfo.InvariantCulture)));
}
