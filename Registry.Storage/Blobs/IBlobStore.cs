using Registry.Oci;

namespace Registry.Storage.Blobs;

/// <summary>
/// The content-addressed blob store: one copy of each blob for the whole registry, whatever
/// repository pushed it. Implementations: filesystem, S3 (Minio SDK), Azure Blob.
/// Upload bytes are staged in the store itself, so any replica can continue a session.
/// Digests are computed by the caller while streaming; a store never trusts a client's claim.
/// </summary>
public interface IBlobStore
{
    /// <summary>The size of a published blob, or null when the store does not have it.</summary>
    Task<long?> GetSizeAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>Opens a published blob for reading from <paramref name="offset"/>, at most <paramref name="length"/> bytes.</summary>
    /// <exception cref="BlobNotFoundException">when the store does not have the blob.</exception>
    Task<Stream> OpenReadAsync(Digest digest, long offset, long? length, CancellationToken cancellationToken);

    /// <summary>
    /// Where a client may read the blob without streaming it through this process: a local file for
    /// the kernel's sendfile path, or a presigned URL to redirect to. Null means "stream it".
    /// </summary>
    Task<BlobReadLocation?> GetReadLocationAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>Deletes a published blob; false when it was not there.</summary>
    Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>Every published blob with its size and last-modified time (for garbage collection).</summary>
    IAsyncEnumerable<StoredBlob> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates the (empty) staging area of an upload session.</summary>
    Task BeginUploadAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="data"/> to the staged bytes of an upload, which must currently hold exactly
    /// <paramref name="offset"/> bytes. Returns the new staged length. The bytes survive a crash of this
    /// process once it returns; a store may defer flushing them to disk until <see cref="PublishUploadAsync"/>
    /// (after a power loss the staged length may then be short, which the next append reports as a mismatch).
    /// </summary>
    Task<long> AppendUploadAsync(string uploadId, long offset, Stream data, CancellationToken cancellationToken);

    /// <summary>Opens the staged bytes of an upload for reading (to re-hash them on another replica).</summary>
    Task<Stream> OpenUploadAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically publishes the staged bytes of an upload as <paramref name="digest"/>, which the caller
    /// has verified, and removes the staging area. The content is on stable storage before it is published. When the blob already exists the staged copy is
    /// dropped and the existing one kept (concurrent pushes of one blob end with one intact copy).
    /// </summary>
    Task PublishUploadAsync(string uploadId, Digest digest, CancellationToken cancellationToken);

    /// <summary>Removes the staged bytes of an upload; no error when there are none.</summary>
    Task DeleteUploadAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Every upload with staged bytes, and when they were last written (to purge abandoned sessions and
    /// staging that lost its session row).</summary>
    IAsyncEnumerable<StagedUpload> ListUploadsAsync(CancellationToken cancellationToken);

    /// <summary>Checks that the store answers (for /readyz); throws when it does not.</summary>
    Task CheckHealthAsync(CancellationToken cancellationToken);
}

/// <summary>An upload's staged bytes as the store lists them: total size and the time of the last write.</summary>
public sealed record StagedUpload(string Id, long Bytes, DateTimeOffset LastModified);

/// <summary>A blob as the store lists it.</summary>
public sealed record StoredBlob(Digest Digest, long Size, DateTimeOffset LastModified);

/// <summary>Where to read a blob from without streaming it through the registry.</summary>
/// <param name="LocalPath">a file on this machine (filesystem store), served with sendfile</param>
/// <param name="RedirectUri">a presigned URL (object stores with redirects enabled)</param>
public sealed record BlobReadLocation(string? LocalPath, Uri? RedirectUri);

/// <summary>Thrown when a blob is not in the store.</summary>
public sealed class BlobNotFoundException(Digest digest) : Exception($"blob {digest} not found")
{
    public Digest Digest { get; } = digest;
}

/// <summary>Thrown when the object store cannot be reached; the API answers 503 UNAVAILABLE.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
