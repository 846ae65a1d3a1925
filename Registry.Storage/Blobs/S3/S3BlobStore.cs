using System.Runtime.CompilerServices;
using Registry.Oci;

namespace Registry.Storage.Blobs.S3;

/// <summary>
/// Blobs in an S3 bucket (<c>blobs/sha256/ab/abcdef…</c>) through the Minio SDK. Uploads are staged in
/// the bucket (see <see cref="S3UploadStaging"/>) so any replica can continue a session; publishing
/// streams the staged segments into the final object (one PUT, or a multipart upload above
/// <see cref="S3StoreOptions.MultipartThreshold"/>), which S3 makes visible only when complete. Reads stream, or redirect to a presigned URL when configured.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IProvisionedBlobStore, IDisposable
{
    private readonly S3StoreOptions options;
    private readonly S3ObjectClient client;
    private readonly S3UploadStaging staging;

    public S3BlobStore(S3StoreOptions options) : this(options, observer: null) { }

    /// <summary>For tests: <paramref name="observer"/> sees every request the store sends to S3.</summary>
    internal S3BlobStore(S3StoreOptions options, DelegatingHandler? observer)
    {
        this.options = options;
        client = new S3ObjectClient(options, observer);
        staging = new S3UploadStaging(client);
    }

    /// <summary>Creates the bucket when it does not exist yet (called once at start).</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (!await client.BucketExistsAsync(cancellationToken)) await client.MakeBucketAsync(cancellationToken);
    }

    public async Task<long?> GetSizeAsync(Digest digest, CancellationToken cancellationToken) =>
        (await client.StatAsync(ObjectStoreLayout.BlobKey(digest), cancellationToken))?.Size;

    public async Task<Stream> OpenReadAsync(Digest digest, long offset, long? length, CancellationToken cancellationToken)
    {
        if (length == 0) return await GetSizeAsync(digest, cancellationToken) is null ? throw new BlobNotFoundException(digest) : Stream.Null;
        return await client.OpenReadAsync(ObjectStoreLayout.BlobKey(digest), offset, length, cancellationToken)
            ?? throw new BlobNotFoundException(digest);
    }

    public async Task<BlobReadLocation?> GetReadLocationAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (!options.RedirectReads || await GetSizeAsync(digest, cancellationToken) is null) return null;
        return new BlobReadLocation(null, await client.PresignGetAsync(ObjectStoreLayout.BlobKey(digest), options.RedirectExpiry, cancellationToken));
    }

    public async Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken)
    {
        var key = ObjectStoreLayout.BlobKey(digest);
        if (await client.StatAsync(key, cancellationToken) is null) return false;
        await client.RemoveAsync(key, cancellationToken);
        return true;
    }

    public async IAsyncEnumerable<StoredBlob> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in client.ListAsync(ObjectStoreLayout.BlobsPrefix, cancellationToken))
            if (ObjectStoreLayout.TryParseBlobKey(item.Key, out var digest))
                yield return new StoredBlob(digest, item.Size, item.LastModified);
    }

    public Task BeginUploadAsync(string uploadId, CancellationToken cancellationToken) =>
        staging.BeginAsync(uploadId, cancellationToken);

    public Task<long> AppendUploadAsync(string uploadId, long offset, Stream data, CancellationToken cancellationToken) =>
        staging.AppendAsync(uploadId, offset, data, cancellationToken);

    public async Task<Stream> OpenUploadAsync(string uploadId, CancellationToken cancellationToken) =>
        staging.OpenRead(uploadId, await staging.ReadIndexAsync(uploadId, cancellationToken));

    public async Task PublishUploadAsync(string uploadId, Digest digest, CancellationToken cancellationToken)
    {
        var index = await staging.ReadIndexAsync(uploadId, cancellationToken);
        var key = ObjectStoreLayout.BlobKey(digest);
        // Content addressing makes every copy of a digest identical, so an existing blob is kept as is;
        // two publishers racing both write whole, identical objects and either one's bytes are intact.
        if (await client.StatAsync(key, cancellationToken) is null)
        {
            await using var bytes = staging.OpenRead(uploadId, index);
            await client.PutAsync(key, bytes, index.Length, cancellationToken);
        }
        else
        {
            StorageMetrics.DedupHits.Add(1);
        }
        await staging.DeleteAsync(uploadId, cancellationToken);
    }

    public Task DeleteUploadAsync(string uploadId, CancellationToken cancellationToken) =>
        staging.DeleteAsync(uploadId, cancellationToken);

    public IAsyncEnumerable<StagedUpload> ListUploadsAsync(CancellationToken cancellationToken) =>
        staging.ListAsync(cancellationToken);

    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (!await client.BucketExistsAsync(cancellationToken))
            throw new StoreUnavailableException($"S3 bucket '{options.Bucket}' does not exist");
    }

    public void Dispose() => client.Dispose();
}
