using Registry.Storage.Manifests;
using Registry.Storage.Policies;
using Registry.Oci;

namespace Registry.Storage.Metadata;

/// <summary>
/// The registry's metadata: which repositories exist, which blobs each may use, manifests, tags and
/// referrers. Repositories are created implicitly by their first blob link or manifest.
/// </summary>
public interface IMetadataStore
{
    /// <summary>
    /// Links a blob that the registry already stores to <paramref name="repository"/> (a mount) and returns its
    /// size; null when no such blob exists (never creates the blob row, unlike <see cref="LinkUploadedBlobAsync"/>).
    /// </summary>
    Task<long?> TryLinkExistingBlobAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Records the blob of a completed upload session (creating its row, or renewing its last-referenced time),
    /// links it to <paramref name="repository"/> and removes the session's row in the same transaction (a
    /// completed push is one commit). Called just BEFORE the bytes are published (see UploadSessionService).
    /// True when the repository's link is new.
    /// </summary>
    Task<bool> LinkUploadedBlobAsync(string repository, Digest digest, long size, string uploadId, CancellationToken cancellationToken);

    /// <summary>The size of <paramref name="digest"/> when <paramref name="repository"/> has it linked, else null.</summary>
    Task<long?> GetLinkedBlobSizeAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> names of repositories that have <paramref name="digest"/> linked, in lexical
    /// order (an automatic mount links the blob only when the caller may pull one of them).
    /// </summary>
    Task<IReadOnlyList<string>> FindRepositoriesHoldingBlobAsync(Digest digest, int limit, CancellationToken cancellationToken);

    /// <summary>Removes a repository's link to a blob (the bytes stay until garbage collection); false when absent.</summary>
    Task<bool> UnlinkBlobAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// The blobs and child manifests that <paramref name="manifest"/> needs and <paramref name="repository"/>
    /// lacks (empty when the manifest may be stored).
    /// </summary>
    Task<IReadOnlyList<string>> FindMissingReferencesAsync(string repository, ParsedManifest manifest, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a manifest's exact bytes (idempotent per digest) and, when given, points <paramref name="tag"/> at it and
    /// adds <paramref name="charge"/> to its organization's usage, all in one transaction.
    /// </summary>
    /// <exception cref="MissingReferencesException">when garbage collection removed a referenced blob or child meanwhile.</exception>
    Task PutManifestAsync(string repository, Digest digest, ParsedManifest manifest, byte[] content, string? tag, UsageCharge? charge, CancellationToken cancellationToken);

    /// <summary>A manifest by digest, or null.</summary>
    Task<StoredManifest?> GetManifestAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>The manifest a tag points at, or null.</summary>
    Task<StoredManifest?> GetTaggedManifestAsync(string repository, string tag, CancellationToken cancellationToken);

    /// <summary>Deletes a manifest and every tag on it; false when absent.</summary>
    Task<bool> DeleteManifestAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>Deletes one tag (the manifest stays); false when absent.</summary>
    Task<bool> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> tags after <paramref name="last"/> in lexical order; null when the repository does not exist.</summary>
    Task<IReadOnlyList<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> repository names after <paramref name="last"/> in lexical order.</summary>
    Task<IReadOnlyList<string>> ListRepositoriesAsync(string? last, int limit, CancellationToken cancellationToken);

    /// <summary>Descriptors of the manifests in <paramref name="repository"/> whose subject is <paramref name="subject"/>.</summary>
    Task<IReadOnlyList<Descriptor>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken);
}

/// <summary>A stored manifest: its digest, media type and exact bytes.</summary>
public sealed record StoredManifest(string Digest, string MediaType, byte[] Content, string? SubjectDigest);
