using Registry.Api.Auth;
using Registry.Auth.Accounts;
using Registry.Auth.Permissions;
using Registry.Auth.Tokens;

namespace Registry.Api.Management;

/// <summary>
/// The authenticated user behind a management request, with what the audit log records about them.
/// Bound as a handler parameter; the group filter guarantees one exists.
/// </summary>
public sealed record ManagementCaller(AccessSubject Access, TokenSubject Subject, string? ClientAddress, AuditLog Audit)
{
    public string Name => Access.Name;

    /// <summary>The caller as account services (Registry.Auth) record them in the audit log.</summary>
    public AccountActor Actor => new(Name, ClientAddress);

    /// <summary>Adds an audit entry for a write by this caller (committed with the write's SaveChanges).</summary>
    public void Record(string action, string target, string? organization, string? detail = null) =>
        Audit.Add(Name, ClientAddress, action, target, organization, detail);

    /// <summary>
    /// Minimal APIs bind parameters before endpoint filters run, so binding authenticates (cached per request) and
    /// always yields a caller; <see cref="ManagementAuthFilter"/> then refuses anyone not allowed in, before any
    /// handler body runs.
    /// </summary>
    public static async ValueTask<ManagementCaller?> BindAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var caller = await services.GetRequiredService<RequestAuthenticator>().AuthenticateAsync(context);
        return new ManagementCaller(caller.Access, caller.Subject, RequestAuthenticator.ClientAddress(context), services.GetRequiredService<AuditLog>());
    }
}

/// <summary>
/// Lets only identified users into /api/v1: anonymous or bad credentials get 401 with a challenge; robots get
/// 403 (they are machine credentials for pulling and pushing, not for administration); too many failures 429.
/// </summary>
public sealed class ManagementAuthFilter(RequestAuthenticator authenticator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var caller = await authenticator.AuthenticateAsync(context);
        if (caller.Status == CallerStatus.RateLimited) return ApiError.Create(429, "TOOMANYREQUESTS", "too many failed logins; try again later");
        if (!caller.IsIdentified)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"registry\", Basic realm=\"registry\"";
            return ApiError.Create(401, "UNAUTHORIZED", "authentication required: a bearer token from /token or Basic credentials");
        }
        if (caller.Access.Kind == SubjectKind.Robot) return ApiError.Forbidden("robot accounts cannot use the management API");
        return await next(invocation);
    }
}
