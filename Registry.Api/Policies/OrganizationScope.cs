namespace Registry.Api.Policies;

/// <summary>
/// The organization a repository belongs to, for policies: its first path component
/// (<c>acme/app/web</c> → <c>acme</c>, relative name <c>app/web</c>). A one-component name has none.
/// </summary>
public readonly record struct OrganizationScope(string Organization, string RelativeName)
{
    public static OrganizationScope? Of(string repository)
    {
        var slash = repository.IndexOf('/');
        return slash <= 0 ? null : new OrganizationScope(repository[..slash], repository[(slash + 1)..]);
    }

    /// <summary>The LIKE-safe prefix of every repository of <paramref name="organization"/>.</summary>
    public static string PrefixOf(string organization) => organization + "/";
}
