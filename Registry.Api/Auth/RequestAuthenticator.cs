using System.Net.Http.Headers;
using System.Text;
using Registry.Auth.Accounts;
using Registry.Auth.Authentication;
using Registry.Auth.Tokens;

namespace Registry.Api.Auth;

/// <summary>
/// Reads the <c>Authorization</c> header (Basic or Bearer) once per request and caches the
/// <see cref="RequestCaller"/> in <see cref="HttpContext.Items"/>. The one place credentials are parsed:
/// /v2, /token and /api/v1 all ask here.
/// </summary>
public sealed class RequestAuthenticator(CredentialAuthenticator credentials, RegistryTokenService tokens, SubjectResolver subjects)
{
    private static readonly object CacheKey = new();

    /// <summary>The caller of <paramref name="context"/>.</summary>
    public async Task<RequestCaller> AuthenticateAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(CacheKey, out var cached) && cached is RequestCaller known) return known;
        var caller = await ReadAsync(context);
        context.Items[CacheKey] = caller;
        return caller;
    }

    /// <summary>The client address that failed logins are counted against.</summary>
    public static string? ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString();

    private async Task<RequestCaller> ReadAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header)) return RequestCaller.AnonymousCaller;
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || string.IsNullOrEmpty(value.Parameter))
            return RequestCaller.InvalidCaller;
        if (value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (!TryDecodeBasic(value.Parameter, out var login, out var secret)) return RequestCaller.InvalidCaller;
            return await LoginAsync(login, secret, ClientAddress(context), context.RequestAborted);
        }
        if (value.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            var token = await tokens.ValidateAccessAsync(value.Parameter);
            if (token is null) return RequestCaller.InvalidCaller;
            var access = await subjects.ResolveAsync(token.Subject, context.RequestAborted);
            return access is null ? RequestCaller.InvalidCaller : new RequestCaller(CallerStatus.Authenticated, token.Subject, access, token.Access);
        }
        return RequestCaller.InvalidCaller;
    }

    /// <summary>Checks a login and secret (Basic header or the OAuth2 password grant).</summary>
    public async Task<RequestCaller> LoginAsync(string login, string secret, string? clientAddress, CancellationToken cancellationToken)
    {
        var result = await credentials.LoginAsync(login, secret, clientAddress, cancellationToken);
        return result.Outcome switch
        {
            LoginOutcome.Success => new RequestCaller(CallerStatus.Authenticated, result.Subject!, result.Access!, null),
            LoginOutcome.RateLimited => RequestCaller.RateLimitedCaller,
            _ => RequestCaller.InvalidCaller,
        };
    }

    private static bool TryDecodeBasic(string parameter, out string login, out string secret)
    {
        login = secret = "";
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = text.IndexOf(':');
            if (colon <= 0) return false;
            (login, secret) = (text[..colon], text[(colon + 1)..]);
            return true;
        }
        catch (FormatException) { return false; }
    }
}
