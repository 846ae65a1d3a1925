namespace Registry.Storage.Policies;

/// <summary>
/// One retention rule of an organization, in the order the organization listed them (<see cref="Position"/>,
/// from 1). In repositories matching <see cref="Repositories"/> (relative to the organization), tags matching
/// <see cref="Tags"/> go when they are beyond the <see cref="KeepLast"/> most recently pushed ones and older than
/// <see cref="OlderThanDays"/> (either alone when only one is set), and manifests no tag reaches go once older
/// than <see cref="UntaggedOlderThanDays"/>. The list is replaced as a whole, so rows carry no history.
/// </summary>
public sealed class RetentionRuleEntity
{
    public long Id { get; set; }
    public required string Organization { get; set; }
    public int Position { get; set; }
    public required string Repositories { get; set; }
    public required string Tags { get; set; }
    public int? KeepLast { get; set; }
    public int? OlderThanDays { get; set; }
    public int? UntaggedOlderThanDays { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}
