namespace Registry.Storage.Metadata.Entities;

/// <summary>
/// A blob upload in progress. A row (not process memory) so that any replica, or this one after a
/// restart, can continue it; the bytes themselves are staged in the blob store.
/// </summary>
public sealed class UploadSessionEntity
{
    public required string Id { get; set; }
    public required string RepositoryName { get; set; }
    /// <summary>How many bytes are staged and acknowledged.</summary>
    public long Offset { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
