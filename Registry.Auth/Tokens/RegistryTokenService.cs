using Registry.Oci;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Registry.Auth.Tokens;

/// <summary>
/// Issues and validates the registry's JWTs: access tokens carrying the Docker <c>access</c> claim, and refresh
/// tokens for the OAuth2 <c>refresh_token</c> grant. Both are signed with the current key and name it in <c>kid</c>;
/// a <c>use</c> claim keeps one kind from being accepted as the other.
/// See: https://distribution.github.io/distribution/spec/auth/jwt/
/// </summary>
public sealed class RegistryTokenService(SigningKeyStore keys, AuthOptions options, TimeProvider time)
{
    private const string UseAccess = "access", UseRefresh = "refresh";
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>An access token granting exactly <paramref name="access"/> (already intersected with what is allowed).</summary>
    public IssuedToken IssueAccess(TokenSubject subject, IReadOnlyList<ResourceScope> access) =>
        Issue(subject, UseAccess, options.TokenLifetime, access);

    /// <summary>A refresh token for <paramref name="subject"/>.</summary>
    public IssuedToken IssueRefresh(TokenSubject subject) => Issue(subject, UseRefresh, options.RefreshTokenLifetime, []);

    /// <summary>Validates an access token; null when it is malformed, tampered, expired, or not an access token.</summary>
    public Task<ValidatedToken?> ValidateAccessAsync(string token) => ValidateAsync(token, UseAccess);

    /// <summary>Validates a refresh token; null when it is malformed, tampered, expired, or not a refresh token.</summary>
    public Task<ValidatedToken?> ValidateRefreshAsync(string token) => ValidateAsync(token, UseRefresh);

    private IssuedToken Issue(TokenSubject subject, string use, TimeSpan lifetime, IReadOnlyList<ResourceScope> access)
    {
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject.Name,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["use"] = use,
            ["cred"] = subject.Kind.ToString(),
            ["cid"] = subject.CredentialId,
            ["access"] = access.Select(a => new Dictionary<string, object>
            {
                ["type"] = a.Type, ["name"] = a.Name, ["actions"] = a.Actions.ToArray(),
            }).ToArray(),
        };
        if (subject.Stamp is not null) claims["stamp"] = subject.Stamp;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Service,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = keys.Signing,
        };
        return new IssuedToken(Handler.CreateToken(descriptor), now, (int)lifetime.TotalSeconds);
    }

    private async Task<ValidatedToken?> ValidateAsync(string token, string use)
    {
        if (token.Length > 16 * 1024) return null;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Service,
            IssuerSigningKeys = keys.VerificationKeys,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, p) => ValidLifetime(notBefore, expires, p.ClockSkew),
        };
        var result = await Handler.ValidateTokenAsync(token, parameters);
        // A key rotated in on another replica first: read the shared key file again and retry once.
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && keys.ReloadForUnknownKey())
        {
            parameters.IssuerSigningKeys = keys.VerificationKeys;
            result = await Handler.ValidateTokenAsync(token, parameters);
        }
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return null;
        try
        {
            var payload = JsonNode.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload))!.AsObject();
            if ((string?)payload["use"] != use) return null;
            if (!Enum.TryParse<CredentialKind>((string?)payload["cred"], out var kind)) return null;
            var subject = new TokenSubject(kind, (string?)payload["sub"] ?? "", (long?)payload["cid"] ?? 0, (string?)payload["stamp"]);
            var access = (payload["access"] as JsonArray ?? [])
                .Select(a => new ResourceScope((string)a!["type"]!, (string)a["name"]!,
                    a["actions"]!.AsArray().Select(x => (string)x!).ToList()))
                .ToList();
            return new ValidatedToken(subject, access, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            return null;
        }
    }

    // Uses the injected clock (the library's default reads the wall clock), so expiry follows TimeProvider.
    private bool ValidLifetime(DateTime? notBefore, DateTime? expires, TimeSpan skew)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return expires is { } exp && now <= exp.ToUniversalTime() + skew
            && (notBefore is not { } nbf || now >= nbf.ToUniversalTime() - skew);
    }
}
