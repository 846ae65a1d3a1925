namespace Registry.Auth.External;

/// <summary>
/// <c>Registry:Auth:Ldap</c>: user names and passwords checked against a directory by binding as the user. Off unless
/// <see cref="Url"/> is set. Filters take <c>{0}</c> for the escaped user name and <c>{dn}</c> for the user's DN.
/// </summary>
public sealed class LdapOptions
{
    /// <summary><c>ldap://host:389</c> or <c>ldaps://host:636</c>.</summary>
    public string? Url { get; set; }

    /// <summary>The service account that searches for users and groups; empty binds anonymously.</summary>
    public string? BindDn { get; set; }
    public string? BindPassword { get; set; }

    public string? UserSearchBase { get; set; }
    public string UserFilter { get; set; } = "(&(objectClass=inetOrgPerson)(uid={0}))";

    /// <summary>Where groups live; empty: group membership is not read.</summary>
    public string? GroupSearchBase { get; set; }
    public string GroupFilter { get; set; } = "(&(objectClass=groupOfNames)(member={dn}))";

    /// <summary>The attribute naming a group (its <c>org/team</c> or a key of <c>Registry:Auth:GroupTeams</c>).</summary>
    public string GroupNameAttribute { get; set; } = "cn";

    /// <summary>Members of this group are registry administrators.</summary>
    public string? AdminGroup { get; set; }

    /// <summary>Bound on every directory call; the directory being slow must not hold logins forever.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    public IEnumerable<string> Validate()
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme is not ("ldap" or "ldaps"))
            yield return "Registry:Auth:Ldap:Url must be an ldap:// or ldaps:// URL";
        if (string.IsNullOrWhiteSpace(UserSearchBase)) yield return "Registry:Auth:Ldap:UserSearchBase must be set when Url is";
        if (!UserFilter.Contains("{0}", StringComparison.Ordinal)) yield return "Registry:Auth:Ldap:UserFilter must contain {0} (the user name)";
        if (string.IsNullOrEmpty(BindDn) != string.IsNullOrEmpty(BindPassword)) yield return "Registry:Auth:Ldap needs both BindDn and BindPassword, or neither";
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(1)) yield return "Registry:Auth:Ldap:Timeout must be between 1 second and 1 minute";
    }
}
