namespace Registry.Api.Access;

/// <summary>
/// The authorization seam of the /v2 API. The registry asks it before every repository operation and
/// before listing the catalog; the default allows everything. The auth module replaces the registration
/// (services.AddSingleton&lt;IRegistryAccessPolicy, …&gt;()) to issue challenges and check scopes.
/// </summary>
public interface IRegistryAccessPolicy
{
    /// <summary>
    /// Null when the request may perform <paramref name="action"/> on <paramref name="repository"/>
    /// (null repository: the registry itself, i.e. <c>GET /v2/</c> and the catalog); otherwise the result
    /// to send instead, such as 401 with a <c>WWW-Authenticate</c> challenge or 403 DENIED.
    /// </summary>
    ValueTask<IResult?> AuthorizeAsync(HttpContext context, string? repository, RegistryAction action);

    /// <summary>Whether the catalog shown to this request lists <paramref name="repository"/>.</summary>
    ValueTask<bool> CanListAsync(HttpContext context, string repository);

    /// <summary>
    /// Whether this request may read <paramref name="repository"/>'s content, answered without a challenge: a
    /// bearer token must grant pull there, other callers are checked against the permission model.
    /// </summary>
    ValueTask<bool> MayPullAsync(HttpContext context, string repository);
}

/// <summary>The default policy: an open registry.</summary>
public sealed class AllowAllAccessPolicy : IRegistryAccessPolicy
{
    public ValueTask<IResult?> AuthorizeAsync(HttpContext context, string? repository, RegistryAction action) => ValueTask.FromResult<IResult?>(null);
    public ValueTask<bool> CanListAsync(HttpContext context, string repository) => ValueTask.FromResult(true);
    public ValueTask<bool> MayPullAsync(HttpContext context, string repository) => ValueTask.FromResult(true);
}
