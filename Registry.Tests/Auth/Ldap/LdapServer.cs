using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Ldap;

/// <summary>
/// Debian's OpenLDAP <c>slapd</c> on loopback with a small directory (dc=example,dc=org: people and groupOfNames
/// groups), changed by the tests through <c>ldapmodify</c> as a directory administrator would.
/// </summary>
public sealed class LdapServer : IAsyncDisposable
{
    public const string Suffix = "dc=example,dc=org", AdminDn = "cn=admin," + Suffix, AdminPassword = "directory-admin-secret";
    public const string People = "ou=people," + Suffix, Groups = "ou=groups," + Suffix;

    private readonly string _directory;

    private LdapServer(string directory, int port) => (_directory, Url) = (directory, $"ldap://127.0.0.1:{port}");

    public string Url { get; }

    public static string UserDn(string uid) => $"uid={uid},{People}";

    public static string PasswordOf(string uid) => $"ldap-{uid}-password";

    /// <summary>Starts slapd with <paramref name="users"/> and groups (name → member uids).</summary>
    public static async Task<LdapServer> StartAsync(string[] users, IReadOnlyDictionary<string, string[]> groups)
    {
        var directory = Directory.CreateTempSubdirectory("registry-test-ldap-").FullName;
        Directory.CreateDirectory(Path.Join(directory, "data"));
        File.WriteAllText(Path.Join(directory, "slapd.conf"), $"""
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            pidfile {directory}/slapd.pid
            database mdb
            maxsize 10485760
            suffix "{Suffix}"
            rootdn "{AdminDn}"
            rootpw {AdminPassword}
            directory {directory}/data
            """);
        var ldif = new List<string>
        {
            $"dn: {Suffix}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n",
            $"dn: {People}\nobjectClass: organizationalUnit\nou: people\n",
            $"dn: {Groups}\nobjectClass: organizationalUnit\nou: groups\n",
        };
        ldif.AddRange(users.Select(u => $"dn: {UserDn(u)}\nobjectClass: inetOrgPerson\nuid: {u}\ncn: {u}\nsn: {u}\nuserPassword: {PasswordOf(u)}\n"));
        ldif.AddRange(groups.Select(g => $"dn: cn={g.Key},{Groups}\nobjectClass: groupOfNames\ncn: {g.Key}\n"
            + string.Concat(g.Value.Select(m => $"member: {UserDn(m)}\n"))));
        File.WriteAllText(Path.Join(directory, "base.ldif"), string.Join("\n", ldif));
        await ExternalTool.RunAsync("slapadd", ["-f", Path.Join(directory, "slapd.conf"), "-l", Path.Join(directory, "base.ldif")]);

        var port = LoopbackPorts.Free();
        var server = new LdapServer(directory, port);
        await ExternalTool.RunAsync("slapd", ["-f", Path.Join(directory, "slapd.conf"), "-h", server.Url + "/"]); // forks into the background
        for (var i = 0; i < 100 && (await ExternalTool.TryRunAsync("ldapwhoami", ["-x", "-H", server.Url, "-D", AdminDn, "-w", AdminPassword])).ExitCode != 0; i++)
            await Task.Delay(100);
        return server;
    }

    /// <summary>The registry settings that point LDAP sign-in at this directory.</summary>
    public Dictionary<string, string?> Settings(string? adminGroup = null) => new()
    {
        ["Registry:Auth:Ldap:Url"] = Url,
        ["Registry:Auth:Ldap:BindDn"] = AdminDn,
        ["Registry:Auth:Ldap:BindPassword"] = AdminPassword,
        ["Registry:Auth:Ldap:UserSearchBase"] = People,
        ["Registry:Auth:Ldap:GroupSearchBase"] = Groups,
        ["Registry:Auth:Ldap:AdminGroup"] = adminGroup,
    };

    public Task RemoveFromGroupAsync(string group, string uid) =>
        ModifyAsync($"dn: cn={group},{Groups}\nchangetype: modify\ndelete: member\nmember: {UserDn(uid)}\n");

    public Task AddToGroupAsync(string group, string uid) =>
        ModifyAsync($"dn: cn={group},{Groups}\nchangetype: modify\nadd: member\nmember: {UserDn(uid)}\n");

    private async Task ModifyAsync(string ldif)
    {
        var file = Path.Join(_directory, $"change-{Guid.NewGuid():N}.ldif");
        File.WriteAllText(file, ldif);
        await ExternalTool.RunAsync("ldapmodify", ["-x", "-H", Url, "-D", AdminDn, "-w", AdminPassword, "-f", file]);
    }

    public async ValueTask DisposeAsync()
    {
        var pidFile = Path.Join(_directory, "slapd.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
                await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            catch (ArgumentException) { } // already gone
        }
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
