namespace Registry.Storage.Events;

/// <summary>
/// The event types, without the configured prefix (<c>Registry:Events:TypePrefix</c>, default <c>io.registry</c>):
/// the CloudEvents <c>type</c> is <c>prefix + "." + short type</c>.
/// </summary>
public static class EventTypes
{
    public const string ManifestPushed = "manifest.pushed";
    public const string ManifestDeleted = "manifest.deleted";
    public const string TagDeleted = "tag.deleted";
    public const string BlobDeleted = "blob.deleted";
    public const string RepositoryCreated = "repository.created";
    public const string RepositoryDeleted = "repository.deleted";
    public const string ReferrerAdded = "referrer.added";
    public const string Pulled = "pulled";

    public static readonly IReadOnlyList<string> All =
        [ManifestPushed, ManifestDeleted, TagDeleted, BlobDeleted, RepositoryCreated, RepositoryDeleted, ReferrerAdded, Pulled];

    /// <summary>The short type for a short or prefixed name (<c>io.registry.manifest.pushed</c> → <c>manifest.pushed</c>); null when unknown.</summary>
    public static string? Normalize(string name, string prefix)
    {
        var trimmed = name.Trim();
        if (trimmed.StartsWith(prefix + ".", StringComparison.Ordinal)) trimmed = trimmed[(prefix.Length + 1)..];
        return All.Contains(trimmed) ? trimmed : null;
    }
}
