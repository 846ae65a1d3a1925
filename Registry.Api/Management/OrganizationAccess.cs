using Microsoft.EntityFrameworkCore;
using Registry.Auth.Permissions;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Api.Management;

/// <summary>What a management request needs of the caller in an organization.</summary>
public enum OrganizationNeed { Member, Maintainer, Owner }

/// <summary>
/// Loads an organization for a management request and checks the caller's role in one place. Non-members get
/// 404, as if the organization did not exist, so its existence does not leak; members lacking the role get 403.
/// </summary>
public static class OrganizationAccess
{
    public static async Task<(OrganizationEntity? Organization, IResult? Refusal)> FindAsync(
        RegistryDbContext db, string name, ManagementCaller caller, OrganizationNeed need, CancellationToken cancellationToken)
    {
        var org = await db.Set<OrganizationEntity>().FirstOrDefaultAsync(o => o.Name == name, cancellationToken);
        if (org is null || !AccessEvaluator.IsMember(caller.Access, name)) return (null, ApiError.NotFound($"organization '{name}'"));
        var allowed = need switch
        {
            OrganizationNeed.Owner => AccessEvaluator.IsOwner(caller.Access, name),
            OrganizationNeed.Maintainer => AccessEvaluator.CanManageOrganization(caller.Access, name),
            _ => true,
        };
        return allowed ? (org, null) : (null, ApiError.Forbidden($"this needs the {need.ToString().ToLowerInvariant()} role in '{name}'"));
    }

    /// <summary>Parses grant requests; an error message for the first bad pattern or action list.</summary>
    public static string? TryParseGrants(IEnumerable<GrantRequest> grants, out List<(string Pattern, string Actions)> parsed)
    {
        parsed = [];
        foreach (var grant in grants)
        {
            if (!RepositoryPattern.TryParse(grant.Pattern, out _))
                return $"invalid repository pattern '{grant.Pattern}': lower-case letters, digits, . _ - / and *";
            if (!RegistryActionNames.TryParseList(string.Join(',', grant.Actions ?? []), out var actions)
                || actions.HasFlag(RegistryActions.Manage))
                return $"invalid actions '{string.Join(',', grant.Actions ?? [])}': use pull, push, delete";
            parsed.Add((grant.Pattern, string.Join(',', RegistryActionNames.Names(actions))));
        }
        return null;
    }

    public static GrantResponse ToResponse(RepositoryGrantEntity grant) => new(grant.Id, grant.Pattern, grant.Actions.Split(','));
}
