using Registry.Oci;
using Registry.Api.Access;
using Registry.Api.Errors;
using Registry.Auth;
using Registry.Auth.Accounts;
using Registry.Auth.Permissions;
using Registry.Auth.Tokens;

namespace Registry.Api.Auth;

/// <summary>
/// The /v2 access policy when auth is on. Bearer tokens are honoured for exactly what they grant; Basic
/// credentials and anonymous callers are checked against the permission model directly.
/// Refusals: 401 with a Bearer challenge for the anonymous and for bad credentials (so clients fetch a token),
/// 401 <c>insufficient_scope</c> when a token lacks a scope the caller could get, 403 DENIED when the caller is
/// known and simply not allowed, 429 TOOMANYREQUESTS after too many failed logins.
/// See: https://distribution.github.io/distribution/spec/auth/token/
/// </summary>
public sealed class TokenAccessPolicy(AuthOptions options) : IRegistryAccessPolicy
{
    public async ValueTask<IResult?> AuthorizeAsync(HttpContext context, string? repository, RegistryAction action)
    {
        var caller = await Authenticator(context).AuthenticateAsync(context);
        if (caller.Status == CallerStatus.RateLimited) return OciError.TooManyRequests("too many failed logins; try again later");
        if (repository is null) return AuthorizeRegistry(context, caller);
        var wanted = action switch { RegistryAction.Push => RegistryActions.Push, RegistryAction.Delete => RegistryActions.Delete, _ => RegistryActions.Pull };
        var scope = ResourceScope.ForRepository(repository, RegistryActionNames.Names(wanted == RegistryActions.Push ? RegistryActions.Pull | RegistryActions.Push : wanted));
        if (caller.Status == CallerStatus.Invalid) return Challenge(context, scope, false, "invalid credentials or token");

        if (!await MayAsync(context, caller, repository, wanted))
        {
            if (!caller.IsIdentified) return Challenge(context, scope, false, "authentication required");
            var couldHave = AccessEvaluator.Evaluate(caller.Access, await Targets(context).ResolveAsync(repository, context.RequestAborted));
            return caller.TokenAccess is not null && couldHave.HasFlag(wanted)
                ? Challenge(context, scope, true, "the token does not grant this action; request a token with this scope")
                : OciError.Denied($"{DisplayName(caller)} may not {ActionWord(wanted)} {repository}");
        }
        return null;
    }

    public async ValueTask<bool> CanListAsync(HttpContext context, string repository)
    {
        var caller = await Authenticator(context).AuthenticateAsync(context);
        var target = await Targets(context).ResolveAsync(repository, context.RequestAborted);
        return AccessEvaluator.Evaluate(caller.Access, target).HasFlag(RegistryActions.Pull);
    }

    public async ValueTask<bool> MayPullAsync(HttpContext context, string repository)
    {
        var caller = await Authenticator(context).AuthenticateAsync(context);
        return caller.Status is CallerStatus.Authenticated or CallerStatus.Anonymous && await MayAsync(context, caller, repository, RegistryActions.Pull);
    }

    // GET /v2/ and GET /v2/_catalog: the registry itself rather than a repository.
    private IResult? AuthorizeRegistry(HttpContext context, RequestCaller caller)
    {
        var catalog = context.Request.Path.Value?.TrimEnd('/').EndsWith("/_catalog", StringComparison.Ordinal) == true;
        var scope = catalog ? ResourceScope.Catalog : null;
        if (caller.Status == CallerStatus.Invalid) return Challenge(context, scope, false, "invalid credentials or token");
        if (caller.Status == CallerStatus.Anonymous) return Challenge(context, scope, false, "authentication required");
        if (catalog && caller.TokenAccess is not null && !caller.TokenGrants(ResourceScope.RegistryType, ResourceScope.CatalogName, RegistryActions.Pull))
            return Challenge(context, scope, true, "the token does not grant the catalog");
        return null;
    }

    private static async Task<bool> MayAsync(HttpContext context, RequestCaller caller, string repository, RegistryActions wanted) =>
        caller.TokenAccess is not null
            ? caller.TokenGrants(ResourceScope.RepositoryType, repository, wanted)
            : AccessEvaluator.Evaluate(caller.Access, await Targets(context).ResolveAsync(repository, context.RequestAborted)).HasFlag(wanted);

    private IResult Challenge(HttpContext context, ResourceScope? scope, bool insufficientScope, string message)
    {
        var realm = string.IsNullOrWhiteSpace(options.Realm) ? $"{context.Request.Scheme}://{context.Request.Host}/token" : options.Realm;
        context.Response.Headers.WWWAuthenticate = Oci.Challenge.Bearer(realm, options.Service, scope, insufficientScope);
        return OciError.Unauthorized(message);
    }

    private static string DisplayName(RequestCaller caller) => caller.Subject.Name;

    private static string ActionWord(RegistryActions action) => RegistryActionNames.Names(action).FirstOrDefault() ?? "access";

    // The policy is a singleton; the per-request services come from the request's scope.
    private static RequestAuthenticator Authenticator(HttpContext context) => context.RequestServices.GetRequiredService<RequestAuthenticator>();
    private static RepositoryTargetResolver Targets(HttpContext context) => context.RequestServices.GetRequiredService<RepositoryTargetResolver>();
}
