using System.DirectoryServices.Protocols;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Registry.Auth.External;

/// <summary>A user the directory vouched for: their entry's DN and the names of their groups.</summary>
public sealed record DirectoryUser(string Dn, IReadOnlyList<string> Groups);

/// <summary>
/// Checks a password by binding to the directory as the user (the directory, not us, knows the password): the service
/// account finds the user's entry, a second connection binds with its DN and the password, the service account reads
/// the user's groups. Every call is bounded by <see cref="LdapOptions.Timeout"/>; passwords are never logged.
/// </summary>
public sealed class LdapDirectory(AuthOptions options, ILogger<LdapDirectory> logger)
{
    private const int InvalidCredentials = 49;
    private LdapOptions Settings => options.Ldap;

    public bool Enabled => Settings.Enabled;

    /// <summary>The user when <paramref name="password"/> is theirs; null when it is not, or the user is unknown.</summary>
    public Task<DirectoryUser?> AuthenticateAsync(string name, string password, CancellationToken cancellationToken)
    {
        // An empty password is an "unauthenticated bind" in LDAP, which many servers accept: never a login.
        if (password.Length == 0) return Task.FromResult<DirectoryUser?>(null);
        // The protocol library is synchronous; keep it off the request's thread.
        return Task.Run(() => Authenticate(name, password), cancellationToken);
    }

    private DirectoryUser? Authenticate(string name, string password)
    {
        try
        {
            using var service = Connect();
            service.Bind(Settings.BindDn is { Length: > 0 } dn ? new NetworkCredential(dn, Settings.BindPassword) : new NetworkCredential());
            var found = Search(service, Settings.UserSearchBase!, Settings.UserFilter.Replace("{0}", Escape(name), StringComparison.Ordinal), "1.1");
            if (found.Count != 1) return null; // unknown, or ambiguous: never guess which entry is meant
            var userDn = found[0].DistinguishedName;
            using (var asUser = Connect())
            {
                try
                {
                    asUser.Bind(new NetworkCredential(userDn, password));
                }
                catch (LdapException e) when (e.ErrorCode == InvalidCredentials)
                {
                    return null;
                }
            }
            return new DirectoryUser(userDn, Groups(service, name, userDn));
        }
        catch (Exception e) when (e is LdapException or DirectoryOperationException)
        {
            // Down, slow or misconfigured: the login fails; the operator sees why (never the password).
            logger.LogError("LDAP directory {Url} failed while checking '{User}': {Error}", Settings.Url, name, e.Message);
            return null;
        }
    }

    private List<string> Groups(LdapConnection service, string name, string userDn)
    {
        if (string.IsNullOrWhiteSpace(Settings.GroupSearchBase)) return [];
        var filter = Settings.GroupFilter.Replace("{dn}", Escape(userDn), StringComparison.Ordinal)
            .Replace("{0}", Escape(name), StringComparison.Ordinal);
        var groups = new List<string>();
        foreach (SearchResultEntry entry in Search(service, Settings.GroupSearchBase, filter, Settings.GroupNameAttribute))
            if (entry.Attributes[Settings.GroupNameAttribute] is { Count: > 0 } names)
                groups.AddRange(names.GetValues(typeof(string)).Cast<string>());
        return groups;
    }

    private SearchResultEntryCollection Search(LdapConnection connection, string searchBase, string filter, string attribute)
    {
        var request = new SearchRequest(searchBase, filter, SearchScope.Subtree, attribute) { SizeLimit = 1000, TimeLimit = Settings.Timeout };
        return ((SearchResponse)connection.SendRequest(request, Settings.Timeout)).Entries;
    }

    private LdapConnection Connect()
    {
        var url = new Uri(Settings.Url!);
        var secure = url.Scheme == "ldaps";
        var port = url.IsDefaultPort || url.Port <= 0 ? secure ? 636 : 389 : url.Port;
        var connection = new LdapConnection(new LdapDirectoryIdentifier(url.Host, port), null, AuthType.Basic) { Timeout = Settings.Timeout };
        connection.SessionOptions.ProtocolVersion = 3;
        connection.SessionOptions.SecureSocketLayer = secure;
        return connection;
    }

    /// <summary>RFC 4515 escaping, so a user name such as <c>*)(uid=*</c> cannot widen the filter.</summary>
    public static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var c in value)
            escaped.Append(c switch { '\\' => @"\5c", '*' => @"\2a", '(' => @"\28", ')' => @"\29", '\0' => @"\00", _ => c.ToString() });
        return escaped.ToString();
    }
}
