using Registry.Auth.Data;

namespace Registry.Api.Management;

// Request and response bodies of /api/v1. Enums travel as strings (see the JSON options in ManagementEndpoints).

public sealed record CreateUserRequest(string Name, string Password, bool IsAdmin = false);
public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);
/// <summary>A user as administrators list them: <c>source</c> is null for a local account, else <c>ldap</c> or <c>oidc</c>.</summary>
public sealed record UserResponse(string Name, bool IsAdmin, DateTime CreatedAt, string? Source = null, DateTime? DisabledAt = null);
public sealed record CurrentUserResponse(string Name, bool IsAdmin, IReadOnlyDictionary<string, OrganizationRole> Organizations);

public sealed record CreateOrganizationRequest(string Name, RepositoryVisibility DefaultVisibility = RepositoryVisibility.Private);
public sealed record UpdateOrganizationRequest(RepositoryVisibility DefaultVisibility);
public sealed record OrganizationResponse(string Name, RepositoryVisibility DefaultVisibility, DateTime CreatedAt);

public sealed record SetMemberRequest(OrganizationRole Role);
public sealed record MemberResponse(string User, OrganizationRole Role);

public sealed record CreateTeamRequest(string Name);
public sealed record TeamResponse(string Name, IReadOnlyList<string> Members, IReadOnlyList<GrantResponse> Grants);

public sealed record GrantRequest(string Pattern, IReadOnlyList<string> Actions);
public sealed record GrantResponse(long Id, string Pattern, IReadOnlyList<string> Actions);

public sealed record CreateRobotRequest(string Name, IReadOnlyList<GrantRequest> Grants);
public sealed record RobotResponse(string Name, string Login, DateTime CreatedAt, string CreatedBy, DateTime? RevokedAt, IReadOnlyList<GrantResponse> Grants);
/// <summary>The only time a robot's secret is shown.</summary>
public sealed record CreatedRobotResponse(string Name, string Login, string Secret, IReadOnlyList<GrantResponse> Grants);

public sealed record CreateTokenRequest(string Name, IReadOnlyList<string>? Actions = null, DateTime? ExpiresAt = null);
public sealed record TokenInfoResponse(long Id, string Name, IReadOnlyList<string> Actions, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt);
/// <summary>The only time a personal access token is shown.</summary>
public sealed record CreatedTokenResponse(long Id, string Name, string Token, IReadOnlyList<string> Actions, DateTime? ExpiresAt);

public sealed record RepositoryResponse(string Name, RepositoryVisibility Visibility, bool HasOwnVisibility);
public sealed record UpdateRepositoryRequest(RepositoryVisibility Visibility);

public sealed record AuditEntryResponse(DateTime At, string Actor, string? ClientAddress, string Action, string Target, string? Organization, string? Detail);
