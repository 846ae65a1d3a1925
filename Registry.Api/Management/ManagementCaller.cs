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

    /// <summary>Adds an audit entry for a write by this caller (committed with the write's SaveChanges).</summary>
    public void Record(string action, string target, string? organization, string? detail = null) =>
        Audit.Add(Name, ClientAddress, action, target, organization, detail);

    private static readonly object Key = new();

    internal static void Attach(HttpContext context, ManagementCaller caller) => context.Items[Key] = caller;

    public static ValueTask<ManagementCaller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Items.TryGetValue(Key, out var value) ? value as ManagementCaller : null);
}

/// <summary>
/// Lets only identified users into /api/v1: anonymous or bad credentials get 401 with a challenge; robots get
/// 403 (they are machine credentials for pulling and pushing, not for administration); too many failures 429.
/// </summary>
public sealed class ManagementAuthFilter(RequestAuthenticator authenticator, AuditLog audit) : IEndpointFilter
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
        ManagementCaller.Attach(context, new ManagementCaller(caller.Access, caller.Subject, RequestAuthenticator.ClientAddress(context), audit));
        return await next(invocation);
    }
}
