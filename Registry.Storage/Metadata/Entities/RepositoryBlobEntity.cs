namespace Registry.Storage.Metadata.Entities;

/// <summary>A repository's claim on a global blob: pulls and manifests may only use linked blobs.</summary>
public sealed class RepositoryBlobEntity
{
    public long RepositoryId { get; set; }
    public required string Digest { get; set; }
    public DateTime CreatedAt { get; set; }
}
