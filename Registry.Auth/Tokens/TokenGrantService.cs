using Registry.Auth.Accounts;
using Registry.Auth.Permissions;
using Registry.Oci;

namespace Registry.Auth.Tokens;

/// <summary>
/// Decides what a token grants: for each requested scope, the intersection of the actions asked for and the
/// actions the caller is allowed. A partial or empty grant is not an error; the registry refuses later.
/// See: https://distribution.github.io/distribution/spec/auth/token/#requesting-a-token
/// </summary>
public sealed class TokenGrantService(RepositoryTargetResolver repositories)
{
    /// <summary>The scopes to put in the token's <c>access</c> claim.</summary>
    public async Task<IReadOnlyList<ResourceScope>> GrantAsync(AccessSubject subject, IReadOnlyList<ResourceScope> requested, CancellationToken cancellationToken)
    {
        var byRepository = new Dictionary<string, RegistryActions>();
        var granted = new List<ResourceScope>();
        foreach (var scope in requested)
        {
            if (scope.IsCatalog)
            {
                // Anyone may ask for the catalog: it lists only what the caller may pull.
                if (!granted.Contains(ResourceScope.Catalog)) granted.Add(ResourceScope.Catalog);
                continue;
            }
            if (scope.Type != ResourceScope.RepositoryType || !RepositoryName.IsValid(scope.Name)) continue;
            var asked = RegistryActionNames.ParseAll(scope.Actions) & ~RegistryActions.Manage;
            var allowed = AccessEvaluator.Evaluate(subject, await repositories.ResolveAsync(scope.Name, cancellationToken));
            byRepository[scope.Name] = byRepository.GetValueOrDefault(scope.Name) | (asked & allowed);
        }
        granted.AddRange(byRepository.Where(kv => kv.Value != RegistryActions.None)
            .Select(kv => ResourceScope.ForRepository(kv.Key, RegistryActionNames.Names(kv.Value))));
        return granted;
    }
}
