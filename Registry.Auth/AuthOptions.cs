namespace Registry.Auth;

/// <summary>
/// Configuration section <c>Registry:Auth</c> (environment: <c>Registry__Auth__…</c>). Auth is off by default so a
/// first <c>dotnet run</c> is an open local registry.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Registry:Auth";

    /// <summary>Turns authentication and authorization on.</summary>
    public bool Enabled { get; set; }

    /// <summary>The first administrator, created (or its password reset) at start when both values are set.</summary>
    public BootstrapAdminOptions BootstrapAdmin { get; set; } = new();

    /// <summary>PEM file with the EC P-256 (ES256) or RSA (RS256) private key that signs tokens; when empty, a P-256
    /// key is generated into <c>{DataDirectory}/auth/token-signing-key.pem</c> on first start.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>PEM files (public or private keys) of earlier signing keys, still accepted while their tokens live.</summary>
    public string[] PreviousSigningKeyPaths { get; set; } = [];

    /// <summary>Lifetime of access tokens.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of refresh tokens (POST /token with <c>access_type=offline</c>).</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The token endpoint URL put in challenges; when empty it is built from the request (<c>{scheme}://{host}/token</c>).</summary>
    public string? Realm { get; set; }

    /// <summary>The service name: the audience of issued tokens.</summary>
    public string Service { get; set; } = "registry";

    /// <summary>The issuer claim of issued tokens.</summary>
    public string Issuer { get; set; } = "registry-token-issuer";

    /// <summary>Failed-login limits.</summary>
    public LoginRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Passwords checked by an LDAP directory (users are created at their first login).</summary>
    public External.LdapOptions Ldap { get; set; } = new();

    /// <summary>Browser sign-in through an OpenID Connect provider (users are created at their first sign-in).</summary>
    public External.OidcOptions Oidc { get; set; } = new();

    /// <summary>
    /// Directory or identity-provider groups to teams: <c>Registry__Auth__GroupTeams__developers=acme/devs</c>. A group
    /// named <c>org/team</c> maps to that team without an entry here.
    /// </summary>
    public Dictionary<string, string> GroupTeams { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Problems that must stop the start, each naming its setting; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (TokenLifetime <= TimeSpan.Zero || TokenLifetime > TimeSpan.FromDays(1))
            problems.Add("Registry:Auth:TokenLifetime must be between 1 second and 1 day");
        if (RefreshTokenLifetime < TokenLifetime) problems.Add("Registry:Auth:RefreshTokenLifetime must not be shorter than TokenLifetime");
        if (string.IsNullOrWhiteSpace(Service)) problems.Add("Registry:Auth:Service must not be empty");
        if (string.IsNullOrWhiteSpace(Issuer)) problems.Add("Registry:Auth:Issuer must not be empty");
        if (Realm is { Length: > 0 } && !Uri.TryCreate(Realm, UriKind.Absolute, out _)) problems.Add("Registry:Auth:Realm must be an absolute URL");
        if (string.IsNullOrEmpty(BootstrapAdmin.User) != string.IsNullOrEmpty(BootstrapAdmin.Password))
            problems.Add("Registry:Auth:BootstrapAdmin needs both User and Password");
        if (RateLimit.MaxFailuresPerUserAndAddress < 1 || RateLimit.MaxFailuresPerAddress < 1 || RateLimit.MaxFailuresPerUser < 1
            || RateLimit.Window <= TimeSpan.Zero || RateLimit.UserDelay <= TimeSpan.Zero || RateLimit.UserDelay > LoginRateLimitOptions.MaxUserDelay)
            problems.Add("Registry:Auth:RateLimit limits, Window and UserDelay must be positive (UserDelay at most 10 s)");
        problems.AddRange(Ldap.Validate());
        problems.AddRange(Oidc.Validate());
        foreach (var (group, team) in GroupTeams)
            if (team.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
                problems.Add($"Registry:Auth:GroupTeams:{group} must name a team as org/team");
        return problems;
    }
}

/// <summary>The administrator created at start.</summary>
public sealed class BootstrapAdminOptions
{
    public string? User { get; set; }
    public string? Password { get; set; }
}

/// <summary>
/// Failed-login limits within a window: per (user, address) and per address they refuse (429); per user across
/// every address they slow attempts down instead, so nobody can lock a user out from elsewhere.
/// </summary>
public sealed class LoginRateLimitOptions
{
    public static readonly TimeSpan MaxUserDelay = TimeSpan.FromSeconds(10);

    /// <summary>Failures of one user from one address before that pair is refused.</summary>
    public int MaxFailuresPerUserAndAddress { get; set; } = 10;

    /// <summary>Failures from one address, whatever the user, before the address is refused.</summary>
    public int MaxFailuresPerAddress { get; set; } = 30;

    /// <summary>Failures of one user from all addresses before the user's attempts are spaced <see cref="UserDelay"/> apart.</summary>
    public int MaxFailuresPerUser { get; set; } = 100;

    /// <summary>Past <see cref="MaxFailuresPerUser"/>, how long each attempt for the user waits for its turn.</summary>
    public TimeSpan UserDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}
