namespace Registry.Storage.Metadata.Entities;

/// <summary>A tag: a mutable name in a repository pointing at one manifest.</summary>
public sealed class TagEntity
{
    public long RepositoryId { get; set; }
    public required string Name { get; set; }
    public long ManifestId { get; set; }
    public DateTime UpdatedAt { get; set; }
}
