namespace Registry.Auth.Data;

/// <summary>A person who logs in with a password. The user's name is also their own namespace.</summary>
public sealed class UserEntity
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Argon2id PHC string; never the password.</summary>
    public required string PasswordHash { get; set; }
    public bool IsAdmin { get; set; }
    /// <summary>Changes whenever the password changes, which invalidates refresh tokens issued before.</summary>
    public required string SecurityStamp { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Where the account comes from: null for a local account, else the directory or identity provider
    /// (<c>ldap</c>, <c>oidc</c>) that checks its sign-in and owns its team memberships.</summary>
    public string? ExternalSource { get; set; }
    /// <summary>Set while an administrator has disabled the account: no login, token or session works.</summary>
    public DateTime? DisabledAt { get; set; }
}

/// <summary>An organization: a namespace shared by its members.</summary>
public sealed class OrganizationEntity
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The visibility of repositories that have no setting of their own (including ones not pushed yet).</summary>
    public RepositoryVisibility DefaultVisibility { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A user's membership of an organization, with a role.</summary>
public sealed class OrganizationMemberEntity
{
    public long OrganizationId { get; set; }
    public long UserId { get; set; }
    public OrganizationRole Role { get; set; }
}

/// <summary>A group of members of one organization that receives grants on repository patterns.</summary>
public sealed class TeamEntity
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public required string Name { get; set; }
}

/// <summary>A user's membership of a team.</summary>
public sealed class TeamMemberEntity
{
    public long TeamId { get; set; }
    public long UserId { get; set; }
}

/// <summary>Actions on repositories matching a pattern (relative to the organization), for a team or a robot.</summary>
public sealed class RepositoryGrantEntity
{
    public long Id { get; set; }
    /// <summary>Set for a team grant.</summary>
    public long? TeamId { get; set; }
    /// <summary>Set for a robot grant.</summary>
    public long? RobotId { get; set; }
    public required string Pattern { get; set; }
    /// <summary>Comma-separated action words, e.g. <c>pull,push</c>.</summary>
    public required string Actions { get; set; }
}

/// <summary>An organization's machine credential (CI, worker-host agents). Logs in as <c>org+name</c>.</summary>
public sealed class RobotEntity
{
    public long Id { get; set; }
    public long OrganizationId { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the secret, which is shown once at creation.</summary>
    public required string SecretHash { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>A user's personal access token: used instead of the password, optionally narrowed to some actions.</summary>
public sealed class PersonalAccessTokenEntity
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the token, which is shown once at creation.</summary>
    public required string SecretHash { get; set; }
    /// <summary>Comma-separated action words the token is limited to.</summary>
    public required string Actions { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>A repository's own visibility, overriding its organization's default.</summary>
public sealed class RepositorySettingEntity
{
    public required string RepositoryName { get; set; }
    public RepositoryVisibility Visibility { get; set; }
}

/// <summary>One write through the management API or a login-relevant event: who did what, when, from where.</summary>
public sealed class AuditEntryEntity
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public required string Actor { get; set; }
    public string? ClientAddress { get; set; }
    /// <summary>A dotted verb such as <c>team.create</c> or <c>robot.revoke</c>.</summary>
    public required string Action { get; set; }
    public required string Target { get; set; }
    /// <summary>The organization the write concerns (owners read their organization's entries); null for registry-wide writes.</summary>
    public string? Organization { get; set; }
    public string? Detail { get; set; }
}
