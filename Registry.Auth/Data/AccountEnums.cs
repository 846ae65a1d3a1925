using System.Text.Json;
using System.Text.Json.Serialization;

namespace Registry.Auth.Data;

/// <summary>Enums travel as lower-case words (<c>"private"</c>, <c>"owner"</c>), never as numbers.</summary>
public sealed class LowerCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    where T : struct, Enum;

/// <summary>Who may see a repository. Stored as text so the database stays readable.</summary>
[JsonConverter(typeof(LowerCaseEnumConverter<RepositoryVisibility>))]
public enum RepositoryVisibility
{
    /// <summary>Only members granted access (team grants, owners, maintainers) and robots with a matching pattern.</summary>
    Private,
    /// <summary>Any member of the organization may pull (the shared base images case).</summary>
    Internal,
    /// <summary>Anyone, even anonymous, may pull.</summary>
    Public,
}

/// <summary>A member's role in an organization.</summary>
[JsonConverter(typeof(LowerCaseEnumConverter<OrganizationRole>))]
public enum OrganizationRole
{
    /// <summary>Pull what a team grants.</summary>
    Reader,
    /// <summary>Pull and push what a team grants.</summary>
    Developer,
    /// <summary>Every repository action in the organization, plus managing repositories, teams and robots.</summary>
    Maintainer,
    /// <summary>Everything in the organization, including members and the audit log.</summary>
    Owner,
}
