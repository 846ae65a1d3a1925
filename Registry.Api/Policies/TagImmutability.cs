using Microsoft.EntityFrameworkCore;
using Registry.Api.Errors;
using Registry.Auth.Permissions;
using Registry.Storage.Metadata;
using Registry.Oci;
using Registry.Storage.Policies;

namespace Registry.Api.Policies;

/// <summary>
/// Immutable tags: once a tag matching an organization's immutable rule exists, a push may not move it to
/// another manifest and a delete may not remove it (by tag, or by deleting the manifest it points at).
/// Pushing the same digest again is allowed, so retried pushes stay idempotent.
/// </summary>
public sealed class TagImmutability(RegistryDbContext db)
{
    /// <summary>The first immutable rule that covers <paramref name="tag"/> in <paramref name="repository"/>, or null.</summary>
    public async Task<TagRuleEntity?> FindRuleAsync(string repository, string tag, CancellationToken cancellationToken) =>
        Match(await RulesOfAsync(repository, cancellationToken), repository, tag);

    /// <summary>The immutable rule covering a tag of <paramref name="repository"/> (or null), with the rules loaded once.</summary>
    public async Task<Func<string, TagRuleEntity?>> MatcherForAsync(string repository, CancellationToken cancellationToken)
    {
        var rules = await RulesOfAsync(repository, cancellationToken);
        return tag => Match(rules, repository, tag);
    }

    /// <summary>DENIED when the tag exists on another digest and a rule makes it immutable.</summary>
    public async Task<IResult?> CheckPushAsync(string repository, string tag, Digest digest, CancellationToken cancellationToken)
    {
        var rules = await RulesOfAsync(repository, cancellationToken);
        if (rules.Count == 0 || Match(rules, repository, tag) is not { } rule) return null;
        var current = await (
            from t in db.Tags
            join r in db.Repositories on t.RepositoryId equals r.Id
            join m in db.Manifests on t.ManifestId equals m.Id
            where r.Name == repository && t.Name == tag
            select m.Digest).FirstOrDefaultAsync(cancellationToken);
        return current is null || current == digest.ToString() ? null
            : OciError.Denied($"tag '{tag}' is immutable ({Describe(rule)}) and points at {current}; push a new tag instead");
    }

    /// <summary>DENIED when deleting the tag, or the manifest with that digest, would remove an immutable tag.</summary>
    public async Task<IResult?> CheckDeleteAsync(string repository, string? tag, Digest? digest, CancellationToken cancellationToken)
    {
        var rules = await RulesOfAsync(repository, cancellationToken);
        if (rules.Count == 0) return null;
        var digestText = digest?.ToString();
        IEnumerable<string> tags = tag is not null ? [tag] : await (
            from t in db.Tags
            join r in db.Repositories on t.RepositoryId equals r.Id
            join m in db.Manifests on t.ManifestId equals m.Id
            where r.Name == repository && m.Digest == digestText
            select t.Name).ToListAsync(cancellationToken);
        foreach (var name in tags)
        {
            if (Match(rules, repository, name) is { } rule)
                return OciError.Denied($"tag '{name}' is immutable ({Describe(rule)}); it cannot be deleted");
        }
        return null;
    }

    /// <summary>How a refusal names a rule, e.g. <c>rule 3 of 'acme': repositories 'app/*', tags 'v*'</c>.</summary>
    public static string Describe(TagRuleEntity rule) =>
        $"rule {rule.Id} of '{rule.Organization}': repositories '{rule.Repositories}', tags '{rule.Tags}'";

    private async Task<List<TagRuleEntity>> RulesOfAsync(string repository, CancellationToken cancellationToken)
    {
        if (OrganizationScope.Of(repository) is not { } scope) return [];
        return await db.Set<TagRuleEntity>().AsNoTracking()
            .Where(r => r.Organization == scope.Organization && r.Immutable)
            .OrderBy(r => r.Id).ToListAsync(cancellationToken);
    }

    private static TagRuleEntity? Match(List<TagRuleEntity> rules, string repository, string tag)
    {
        if (OrganizationScope.Of(repository) is not { } scope) return null;
        return rules.FirstOrDefault(r => RepositoryPattern.WildcardMatches(r.Repositories, scope.RelativeName)
            && RepositoryPattern.WildcardMatches(r.Tags, tag));
    }
}
