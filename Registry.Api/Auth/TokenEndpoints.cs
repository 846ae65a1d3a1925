using Registry.Oci;
using System.Text.Json.Serialization;
using Registry.Api.Errors;
using Registry.Auth;
using Registry.Auth.Accounts;
using Registry.Auth.Tokens;

namespace Registry.Api.Auth;

/// <summary>
/// The token endpoint: <c>GET /token</c> (Basic credentials or anonymous) and <c>POST /token</c> (OAuth2
/// <c>password</c> and <c>refresh_token</c> grants). Tokens grant the intersection of what was asked and what the
/// caller may do; a partial grant is not an error.
/// </summary>
public static class TokenEndpoints
{
    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        // See: https://distribution.github.io/distribution/spec/auth/token/
        app.MapGet("/token", GetToken).ExcludeFromDescription();
        // See: https://distribution.github.io/distribution/spec/auth/oauth/
        app.MapPost("/token", PostToken).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> GetToken(HttpContext context, RequestAuthenticator authenticator, AuthOptions options,
        TokenGrantService grants, RegistryTokenService tokens)
    {
        var query = context.Request.Query;
        if (WrongService(query["service"], options)) return OAuthError(400, "invalid_request", "unknown service");
        var caller = await authenticator.AuthenticateAsync(context);
        if (caller.Status == CallerStatus.RateLimited) return OciError.TooManyRequests("too many failed logins; try again later");
        // A token cannot be traded for a token here: only Basic credentials or nothing.
        if (caller.Status == CallerStatus.Invalid || caller.TokenAccess is not null) return OciError.Unauthorized("invalid credentials");
        var granted = await grants.GrantAsync(caller.Access, ResourceScope.ParseMany(query["scope"]), context.RequestAborted);
        var access = tokens.IssueAccess(caller.Subject, granted);
        var refresh = query["offline_token"] == "true" && caller.IsIdentified ? tokens.IssueRefresh(caller.Subject).Token : null;
        return Results.Json(new TokenResponse(access.Token, access.Token, access.ExpiresIn, access.IssuedAt.ToString("O"), refresh, null));
    }

    private static async Task<IResult> PostToken(HttpContext context, RequestAuthenticator authenticator, AuthOptions options,
        TokenGrantService grants, RegistryTokenService tokens, SubjectResolver subjects)
    {
        if (!context.Request.HasFormContentType) return OAuthError(400, "invalid_request", "expected application/x-www-form-urlencoded");
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (WrongService(form["service"], options)) return OAuthError(400, "invalid_request", "unknown service");
        RequestCaller caller;
        switch (form["grant_type"].ToString())
        {
            case "password":
                if (string.IsNullOrEmpty(form["username"]) || string.IsNullOrEmpty(form["password"]))
                    return OAuthError(400, "invalid_request", "username and password are required");
                caller = await authenticator.LoginAsync(form["username"]!, form["password"]!, RequestAuthenticator.ClientAddress(context), context.RequestAborted);
                if (caller.Status == CallerStatus.RateLimited) return OciError.TooManyRequests("too many failed logins; try again later");
                if (caller.Status != CallerStatus.Authenticated) return OAuthError(401, "invalid_grant", "invalid username or password");
                break;
            case "refresh_token":
                var refreshToken = await tokens.ValidateRefreshAsync(form["refresh_token"].ToString());
                var access = refreshToken is null ? null : await subjects.ResolveAsync(refreshToken.Subject, context.RequestAborted);
                if (access is null) return OAuthError(401, "invalid_grant", "invalid, expired or revoked refresh token");
                caller = new RequestCaller(CallerStatus.Authenticated, refreshToken!.Subject, access, null);
                break;
            default:
                return OAuthError(400, "unsupported_grant_type", "grant_type must be password or refresh_token");
        }
        var granted = await grants.GrantAsync(caller.Access, ResourceScope.ParseMany(form["scope"]), context.RequestAborted);
        var issued = tokens.IssueAccess(caller.Subject, granted);
        // A refresh token is returned for offline access, and renewed on every refresh.
        var refresh = form["access_type"] == "offline" || form["grant_type"] == "refresh_token" ? tokens.IssueRefresh(caller.Subject).Token : null;
        return Results.Json(new TokenResponse(issued.Token, issued.Token, issued.ExpiresIn, issued.IssuedAt.ToString("O"), refresh,
            string.Join(' ', granted.Select(g => g.ToString()))));
    }

    private static bool WrongService(Microsoft.Extensions.Primitives.StringValues service, AuthOptions options) =>
        !string.IsNullOrEmpty(service) && service != options.Service;

    private static IResult OAuthError(int status, string error, string description) =>
        Results.Json(new { error, error_description = description }, statusCode: status);

    private sealed record TokenResponse(
        [property: JsonPropertyName("token")] string Token,
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn,
        [property: JsonPropertyName("issued_at")] string IssuedAt,
        [property: JsonPropertyName("refresh_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken,
        [property: JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope);
}
