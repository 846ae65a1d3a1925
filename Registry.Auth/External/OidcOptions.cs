namespace Registry.Auth.External;

/// <summary>
/// <c>Registry:Auth:Oidc</c>: browser sign-in through the organization's OpenID Connect provider (authorization code
/// flow with PKCE). Off unless <see cref="Authority"/> is set.
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The provider's issuer URL (its <c>/.well-known/openid-configuration</c> is read from there).</summary>
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The claim holding the user's groups (mapped to teams as LDAP groups are).</summary>
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>The claim that becomes the registry user name (lower-case letters, digits, . _ -).</summary>
    public string UserNameClaim { get; set; } = "preferred_username";

    /// <summary>Members of this group are registry administrators (set at each sign-in).</summary>
    public string? AdminGroup { get; set; }

    /// <summary>Scopes asked for beyond <c>openid profile</c>.</summary>
    public string[] Scopes { get; set; } = ["groups"];

    /// <summary>True outside tests: the provider's metadata must come over HTTPS.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The sign-in button's text.</summary>
    public string DisplayName { get; set; } = "single sign-on";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public IEnumerable<string> Validate()
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            yield return "Registry:Auth:Oidc:Authority must be an absolute http(s) URL";
        else if (authority.Scheme == "http" && RequireHttpsMetadata)
            yield return "Registry:Auth:Oidc:Authority must be https (or set RequireHttpsMetadata=false for a test provider)";
        if (string.IsNullOrWhiteSpace(ClientId)) yield return "Registry:Auth:Oidc:ClientId must be set when Authority is";
        if (string.IsNullOrWhiteSpace(ClientSecret)) yield return "Registry:Auth:Oidc:ClientSecret must be set when Authority is";
    }
}
