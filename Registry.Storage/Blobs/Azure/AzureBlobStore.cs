using System.Runtime.CompilerServices;
using Azure;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Registry.Oci;

namespace Registry.Storage.Blobs.Azure;

/// <summary>
/// Blobs in an Azure Blob container (<c>blobs/sha256/ab/abcdef…</c>). Uploads are staged as committed
/// blocks of a staging blob (<see cref="AzureUploadStaging"/>), so any replica can continue a session.
/// Publishing copies the staged bytes into blocks of the final blob on the service side (Put Block
/// From URL) and commits them at the end, so the blob appears whole or not at all and no bytes cross
/// this process. Reads stream, or redirect to a SAS URL when configured.
/// </summary>
// SAS expiry times read the wall clock, not an injected TimeProvider, on purpose: Azure checks them against its own clock.
public sealed class AzureBlobStore : IBlobStore, IProvisionedBlobStore
{
    // Put Block From URL copies at most 100 MiB per block on older service versions.
    private const long CopyBlockSize = 100L * 1024 * 1024;
    private readonly AzureStoreOptions options;
    private readonly BlobContainerClient container;
    private readonly AzureUploadStaging staging;

    public AzureBlobStore(AzureStoreOptions options)
    {
        this.options = options;
        var clientOptions = new BlobClientOptions
        {
            // Fail fast when the service is down (the API answers 503) instead of retrying for a minute.
            Retry = { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(200), NetworkTimeout = TimeSpan.FromSeconds(100) },
            Transport = new HttpClientTransport(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) }),
        };
        container = new BlobContainerClient(options.ConnectionString, options.Container, clientOptions);
        staging = new AzureUploadStaging(container);
    }

    /// <summary>Creates the container when it does not exist yet (called once at start).</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        AzureFailures.Guard(() => container.CreateIfNotExistsAsync(cancellationToken: cancellationToken), cancellationToken);

    public Task<long?> GetSizeAsync(Digest digest, CancellationToken cancellationToken) => AzureFailures.Guard(async () =>
    {
        try
        {
            return (long?)(await BlobOf(digest).GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ContentLength;
        }
        catch (RequestFailedException e) when (AzureFailures.IsNotFound(e))
        {
            return null;
        }
    }, cancellationToken);

    public Task<Stream> OpenReadAsync(Digest digest, long offset, long? length, CancellationToken cancellationToken) => AzureFailures.Guard(async () =>
    {
        try
        {
            if (length == 0) return await GetSizeAsync(digest, cancellationToken) is null ? throw new BlobNotFoundException(digest) : Stream.Null;
            var download = await BlobOf(digest).DownloadStreamingAsync(
                new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken);
            return download.Value.Content;
        }
        catch (RequestFailedException e) when (AzureFailures.IsNotFound(e))
        {
            throw new BlobNotFoundException(digest);
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            return Stream.Null; // a range starting at or past the end
        }
    }, cancellationToken);

    public async Task<BlobReadLocation?> GetReadLocationAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (!options.RedirectReads || await GetSizeAsync(digest, cancellationToken) is null) return null;
        return new BlobReadLocation(null, BlobOf(digest).GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow + options.RedirectExpiry));
    }

    public Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken) => AzureFailures.Guard(async () =>
        (await BlobOf(digest).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)).Value,
        cancellationToken);

    public async IAsyncEnumerable<StoredBlob> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = container.GetBlobsAsync(new GetBlobsOptions { Prefix = ObjectStoreLayout.BlobsPrefix }, cancellationToken);
        await using var items = pages.GetAsyncEnumerator(cancellationToken);
        while (await AzureFailures.Guard(async () => await items.MoveNextAsync(), cancellationToken))
        {
            var item = items.Current;
            if (ObjectStoreLayout.TryParseBlobKey(item.Name, out var digest))
                yield return new StoredBlob(digest, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.UnixEpoch);
        }
    }

    public Task BeginUploadAsync(string uploadId, CancellationToken cancellationToken) => staging.BeginAsync(uploadId, cancellationToken);

    public Task<long> AppendUploadAsync(string uploadId, long offset, Stream data, CancellationToken cancellationToken) =>
        staging.AppendAsync(uploadId, offset, data, cancellationToken);

    public Task<Stream> OpenUploadAsync(string uploadId, CancellationToken cancellationToken) => AzureFailures.Guard(async () =>
    {
        try
        {
            return (await staging.BlobOf(uploadId).DownloadStreamingAsync(cancellationToken: cancellationToken)).Value.Content;
        }
        catch (RequestFailedException e) when (AzureFailures.IsNotFound(e))
        {
            throw new UploadNotFoundException(uploadId);
        }
    }, cancellationToken);

    public Task PublishUploadAsync(string uploadId, Digest digest, CancellationToken cancellationToken) => AzureFailures.Guard(async () =>
    {
        var (length, _) = await staging.GetStateAsync(uploadId, cancellationToken);
        // Content addressing makes every copy of a digest identical, so an existing blob is kept as is.
        if (await GetSizeAsync(digest, cancellationToken) is null)
        {
            var target = BlobOf(digest);
            var source = staging.BlobOf(uploadId).GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1));
            var blocks = new List<string>();
            for (long offset = 0; offset < length; offset += CopyBlockSize)
            {
                var id = AzureUploadStaging.BlockId(offset);
                var range = new HttpRange(offset, Math.Min(CopyBlockSize, length - offset));
                await target.StageBlockFromUriAsync(source, id, new StageBlockFromUriOptions { SourceRange = range }, cancellationToken);
                blocks.Add(id);
            }
            // The commit is the moment the blob appears; racing publishers each commit whole, identical content.
            await target.CommitBlockListAsync(blocks, new CommitBlockListOptions(), cancellationToken);
        }
        else
        {
            StorageMetrics.DedupHits.Add(1);
        }
        await staging.DeleteAsync(uploadId, cancellationToken);
    }, cancellationToken);

    public Task DeleteUploadAsync(string uploadId, CancellationToken cancellationToken) => staging.DeleteAsync(uploadId, cancellationToken);

    public IAsyncEnumerable<StagedUpload> ListUploadsAsync(CancellationToken cancellationToken) => staging.ListAsync(cancellationToken);

    public Task CheckHealthAsync(CancellationToken cancellationToken) => AzureFailures.Guard(async () =>
    {
        if (!(await container.ExistsAsync(cancellationToken)).Value)
            throw new StoreUnavailableException($"Azure container '{options.Container}' does not exist");
    }, cancellationToken);

    private BlockBlobClient BlobOf(Digest digest) => container.GetBlockBlobClient(ObjectStoreLayout.BlobKey(digest));
}
