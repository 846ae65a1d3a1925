using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Registry.Auth;
using Registry.Auth.External;
using Registry.Auth.Tokens;
using Registry.Auth.Data;

namespace Registry.Api.Ui;

/// <summary>
/// Browser sign-in through an OpenID Connect provider: ASP.NET Core's handler runs the authorization code flow with
/// PKCE; when it comes back, the provider's user becomes a registry account (created at the first sign-in, teams set
/// from the groups claim at every sign-in) and the UI's own session cookie is issued for it, exactly as a password
/// sign-in issues it. CLI tools use a personal token made in the UI.
/// See: https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
/// </summary>
public static class SingleSignOn
{
    public const string Scheme = "oidc", CallbackPath = "/signin-oidc", StartPath = "/signin/oidc";

    public static void AddRegistrySingleSignOn(this WebApplicationBuilder builder)
    {
        // Switches decide the registration; the settings are the AuthOptions bound and validated once at start.
        // OIDC has no Enabled key: it is on when an Authority is configured (OidcOptions.Enabled).
        if (!builder.Configuration.GetValue<bool>($"{AuthOptions.Section}:Enabled")
            || string.IsNullOrWhiteSpace(builder.Configuration[$"{AuthOptions.Section}:Oidc:Authority"])) return;
        builder.Services.AddAuthentication().AddOpenIdConnect(Scheme, displayName: null, _ => { });
        builder.Services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<AuthOptions>((options, auth) =>
        {
            var oidc = auth.Oidc;
            options.Authority = oidc.Authority;
            options.ClientId = oidc.ClientId;
            options.ClientSecret = oidc.ClientSecret;
            options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            options.ResponseType = OpenIdConnectResponseType.Code;
            options.UsePkce = true;
            // Query (not form_post): the callback is a top-level GET, so the Lax correlation cookies come with it.
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.CallbackPath = CallbackPath;
            options.SignInScheme = UiSetup.CookieScheme;
            options.MapInboundClaims = false; // keep the provider's claim names (groups, preferred_username)
            options.GetClaimsFromUserInfoEndpoint = true;
            options.SaveTokens = false; // the session needs none of the provider's tokens
            options.Scope.Clear();
            foreach (var scope in new[] { "openid", "profile" }.Concat(oidc.Scopes)) options.Scope.Add(scope);
            options.ClaimActions.MapAll(); // userinfo's claims (groups among them) onto the identity
            foreach (var cookie in new[] { options.CorrelationCookie, options.NonceCookie })
            {
                cookie.SameSite = SameSiteMode.Lax;
                cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            }
            options.BackchannelTimeout = TimeSpan.FromSeconds(10); // a slow provider must not hold the sign-in forever
            options.Events.OnTicketReceived = context => SignInAsync(context, oidc);
            options.Events.OnRemoteFailure = context =>
            {
                context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SingleSignOn))
                    .LogWarning("OpenID Connect sign-in failed: {Error}", context.Failure?.Message);
                context.Response.Redirect("/signin?sso=failed");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    public static void MapRegistrySingleSignOn(this WebApplication app)
    {
        if (app.Services.GetService<AuthOptions>() is not { Enabled: true, Oidc.Enabled: true }) return;
        app.UseAuthentication(); // runs the handler at its callback path; no default scheme, so nothing else changes
        app.MapGet(StartPath, (string? returnUrl) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = SafeReturn(returnUrl) }, [Scheme]));
    }

    /// <summary>Only local paths, so sign-in cannot be used to send someone elsewhere.</summary>
    public static string SafeReturn(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    private static async Task SignInAsync(TicketReceivedContext context, OidcOptions oidc)
    {
        var principal = context.Principal!;
        var name = principal.FindFirstValue(oidc.UserNameClaim);
        var groups = principal.FindAll(oidc.GroupsClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var accounts = context.HttpContext.RequestServices.GetRequiredService<ExternalAccounts>();
        var user = name is null ? null
            : await accounts.SignInAsync(name, ExternalSources.Oidc, groups, oidc.AdminGroup, context.HttpContext.RequestAborted);
        if (user is null || user.DisabledAt is not null)
        {
            context.Response.Redirect(name is null ? "/signin?sso=noname" : user is null ? "/signin?sso=name" : "/signin?sso=disabled");
            context.HandleResponse();
            return;
        }
        context.Principal = UiViewerAccessor.PrincipalFor(new TokenSubject(CredentialKind.Password, user.Name, user.Id, user.SecurityStamp));
    }
}
