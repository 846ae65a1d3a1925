using Registry.Oci;
using Registry.Auth.Permissions;
using Registry.Auth.Tokens;

namespace Registry.Api.Auth;

/// <summary>How a request's credentials turned out.</summary>
public enum CallerStatus
{
    /// <summary>No credentials: the anonymous caller.</summary>
    Anonymous,
    /// <summary>Valid Basic credentials or a valid bearer token.</summary>
    Authenticated,
    /// <summary>Wrong credentials, or a tampered, expired or revoked token.</summary>
    Invalid,
    /// <summary>Too many failed logins for this user or address.</summary>
    RateLimited,
}

/// <summary>
/// Who is calling, worked out once per request. <see cref="TokenAccess"/> is set when a bearer token was
/// presented: the registry then honours exactly the token's grant; with Basic credentials it evaluates the
/// permission model directly.
/// </summary>
public sealed record RequestCaller(CallerStatus Status, TokenSubject Subject, AccessSubject Access, IReadOnlyList<ResourceScope>? TokenAccess)
{
    public static readonly RequestCaller AnonymousCaller = new(CallerStatus.Anonymous, TokenSubject.Anonymous, AccessSubject.Anonymous, null);
    public static readonly RequestCaller InvalidCaller = new(CallerStatus.Invalid, TokenSubject.Anonymous, AccessSubject.Anonymous, null);
    public static readonly RequestCaller RateLimitedCaller = new(CallerStatus.RateLimited, TokenSubject.Anonymous, AccessSubject.Anonymous, null);

    /// <summary>True when the caller has an identity (not anonymous, even through an anonymous token).</summary>
    public bool IsIdentified => Status == CallerStatus.Authenticated && Subject.Kind != CredentialKind.Anonymous;

    /// <summary>True when the bearer token grants <paramref name="action"/> on <paramref name="type"/>:<paramref name="name"/>.</summary>
    public bool TokenGrants(string type, string name, RegistryActions action) =>
        TokenAccess is not null && TokenAccess.Any(a => a.Type == type && a.Name == name
            && RegistryActionNames.ParseAll(a.Actions).HasFlag(action));
}
