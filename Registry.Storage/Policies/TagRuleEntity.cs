namespace Registry.Storage.Policies;

/// <summary>
/// A tag rule of an organization: tags matching <see cref="Tags"/> in repositories matching
/// <see cref="Repositories"/> (relative to the organization) are immutable once they exist.
/// Keyed by the organization's name, as the repositories it governs are.
/// </summary>
public sealed class TagRuleEntity
{
    public long Id { get; set; }
    public required string Organization { get; set; }
    public required string Repositories { get; set; }
    public required string Tags { get; set; }
    public bool Immutable { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}
