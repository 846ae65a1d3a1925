namespace Registry.Storage.Metadata.Entities;

/// <summary>A manifest in a repository, with the exact bytes that were pushed (its digest is theirs).</summary>
public sealed class ManifestEntity
{
    public long Id { get; set; }
    public long RepositoryId { get; set; }
    public required string Digest { get; set; }
    public required string MediaType { get; set; }
    /// <summary>The manifest's artifactType, or its config media type (what referrers report).</summary>
    public string? ArtifactType { get; set; }
    public string? SubjectDigest { get; set; }
    /// <summary>The manifest's annotations as JSON, reported by the referrers API.</summary>
    public string? AnnotationsJson { get; set; }
    public required byte[] Content { get; set; }
    public long Size { get; set; }
    public DateTime CreatedAt { get; set; }
}
