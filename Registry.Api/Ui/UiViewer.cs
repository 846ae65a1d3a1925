using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Registry.Api.Auth;
using Registry.Api.Management;
using Registry.Auth;
using Registry.Auth.Accounts;
using Registry.Auth.Permissions;
using Registry.Auth.Tokens;

namespace Registry.Api.Ui;

/// <summary>
/// Who is looking at a UI page and what they may do. With auth off everyone browses read-only; with auth on
/// the session cookie names a user whose current access is re-read (as /v2 does for a token) and judged by the
/// same <see cref="AccessEvaluator"/> and <see cref="RepositoryTargetResolver"/> as /v2.
/// </summary>
public sealed class UiViewer(bool authEnabled, AccessSubject? access, TokenSubject? subject, RepositoryTargetResolver? targets)
{
    public bool AuthEnabled => authEnabled;

    /// <summary>True when a user is signed in (always false with auth off).</summary>
    public bool SignedIn => access is { Kind: SubjectKind.User };

    public string? Name => SignedIn ? access!.Name : null;

    public AccessSubject? Access => access;

    /// <summary>The signed-in user as the management API's caller, so UI writes go through the same handlers and audit log.</summary>
    public ManagementCaller AsManagementCaller(HttpContext context) =>
        new(access!, subject!, RequestAuthenticator.ClientAddress(context), context.RequestServices.GetRequiredService<AuditLog>());

    /// <summary>The actions this viewer may perform on <paramref name="repository"/>: pull only with auth off.</summary>
    public async Task<RegistryActions> ActionsOnAsync(string repository, CancellationToken cancellationToken)
    {
        if (!authEnabled) return RegistryActions.Pull;
        return AccessEvaluator.Evaluate(access!, await targets!.ResolveAsync(repository, cancellationToken));
    }

    public async Task<bool> MayPullAsync(string repository, CancellationToken cancellationToken) =>
        (await ActionsOnAsync(repository, cancellationToken)).HasFlag(RegistryActions.Pull);
}

/// <summary>Resolves the <see cref="UiViewer"/> of the current request once.</summary>
public sealed class UiViewerAccessor(IServiceProvider services)
{
    private const string NameClaim = ClaimTypes.Name, IdClaim = "registry:user-id", StampClaim = "registry:stamp";
    private UiViewer? viewer;

    public async Task<UiViewer> GetAsync(HttpContext context)
    {
        if (viewer is not null) return viewer;
        var options = services.GetService<AuthOptions>();
        if (options is not { Enabled: true }) return viewer = new UiViewer(false, null, null, null);
        var targets = services.GetRequiredService<RepositoryTargetResolver>();
        var (access, subject) = await SignedInAsync(context);
        return viewer = new UiViewer(true, access ?? AccessSubject.Anonymous, access is null ? TokenSubject.Anonymous : subject, targets);
    }

    /// <summary>The claims the session cookie carries: the password credential the user signed in with.</summary>
    public static ClaimsPrincipal PrincipalFor(TokenSubject subject) => new(new ClaimsIdentity(
    [
        new Claim(NameClaim, subject.Name),
        new Claim(IdClaim, subject.CredentialId.ToString(CultureInfo.InvariantCulture)),
        new Claim(StampClaim, subject.Stamp ?? ""),
    ], UiSetup.CookieScheme));

    // A deleted user, a changed password or a disabled account invalidates the session at its next request.
    private async Task<(AccessSubject? Access, TokenSubject? Subject)> SignedInAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(UiSetup.CookieScheme);
        if (!result.Succeeded) return (null, null);
        var principal = result.Principal;
        if (!long.TryParse(principal.FindFirstValue(IdClaim), CultureInfo.InvariantCulture, out var id)) return (null, null);
        var subject = new TokenSubject(CredentialKind.Password, principal.FindFirstValue(NameClaim) ?? "", id, principal.FindFirstValue(StampClaim));
        return (await services.GetRequiredService<SubjectResolver>().ResolveAsync(subject, context.RequestAborted), subject);
    }
}
