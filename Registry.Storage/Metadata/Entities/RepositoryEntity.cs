namespace Registry.Storage.Metadata.Entities;

/// <summary>A repository (<c>org/team/app</c>); created on its first blob link or manifest.</summary>
public sealed class RepositoryEntity
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }
}
