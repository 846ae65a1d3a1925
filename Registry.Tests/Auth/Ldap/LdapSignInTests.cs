using System.Net;
using System.Net.Http.Json;
using System.Text;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Ldap;

/// <summary>
/// Passwords checked by a real directory (slapd): the account is created at the first login, its groups map to
/// teams at every login (so leaving a group in the directory removes the access), local accounts keep working, and
/// a disabled account gets in with nothing.
/// </summary>
[Trait("Category", "Integration")]
public abstract class LdapSignInTests(TestDatabase database)
{
    private static readonly Dictionary<string, string[]> Groups = new()
    {
        ["acme/devs"] = ["alice", "bob"],
        ["registry-admins"] = ["carol"],
        ["platform"] = ["bob"],
    };

    private async Task<(LdapServer, AuthTestServer)> StartAsync()
    {
        var ldap = await LdapServer.StartAsync(["alice", "bob", "carol", "local-twin"], Groups);
        var settings = ldap.Settings(adminGroup: "registry-admins");
        settings["Registry:Auth:GroupTeams:platform"] = "acme/platform"; // a group whose name is not org/team
        var auth = await AuthTestServer.StartAsync(database, settings);
        await auth.CreateOrganizationAsync("acme");
        await auth.Admin.PushImageAsync("acme/app", "1", Encoding.UTF8.GetBytes("app layer"));
        await auth.Admin.PushImageAsync("acme/infra", "1", Encoding.UTF8.GetBytes("infra layer"));
        await auth.CreateTeamAsync("acme", "devs", "app", ["pull"]);
        await auth.CreateTeamAsync("acme", "platform", "infra", ["pull", "push"]);
        return (ldap, auth);
    }

    [Fact]
    public async Task DirectoryUserGetsInAndTheirGroupsGrantAccessUntilRemovedFromTheGroup()
    {
        var (ldap, auth) = await StartAsync();
        await using var _ = ldap;
        await using var __ = auth;

        var token = await auth.TokenAsync("alice", LdapServer.PasswordOf("alice"), "repository:acme/app:pull", "repository:acme/infra:pull");
        Assert.Equal(["repository:acme/app:pull"], AuthTestServer.AccessOf(token));
        var bob = await auth.TokenAsync("bob", LdapServer.PasswordOf("bob"), "repository:acme/infra:pull,push");
        Assert.Equal(["repository:acme/infra:pull,push"], AuthTestServer.AccessOf(bob)); // through Registry:Auth:GroupTeams

        var users = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        var alice = users.EnumerateArray().Single(u => u.GetProperty("name").GetString() == "alice");
        Assert.Equal("ldap", alice.GetProperty("source").GetString());
        Assert.False(alice.GetProperty("isAdmin").GetBoolean());

        await ldap.RemoveFromGroupAsync("acme/devs", "alice");
        var after = await auth.TokenAsync("alice", LdapServer.PasswordOf("alice"), "repository:acme/app:pull");
        Assert.Empty(AuthTestServer.AccessOf(after));
        await ldap.AddToGroupAsync("acme/devs", "alice");
        Assert.NotEmpty(AuthTestServer.AccessOf(await auth.TokenAsync("alice", LdapServer.PasswordOf("alice"), "repository:acme/app:pull")));
    }

    [Fact]
    public async Task AdminGroupMakesAnAdministrator()
    {
        var (ldap, auth) = await StartAsync();
        await using var _ = ldap;
        await using var __ = auth;
        using var carol = auth.Basic("carol", LdapServer.PasswordOf("carol"));
        var me = await AuthTestServer.Expect(await carol.GetAsync("/api/v1/user"), HttpStatusCode.OK);
        Assert.True(me.GetProperty("isAdmin").GetBoolean());
        await AuthTestServer.Expect(await carol.GetAsync("/api/v1/users"), HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("alice", "wrong-password")]
    [InlineData("alice", "")]
    [InlineData("nobody", "whatever-password")]
    [InlineData("*", "ldap-alice-password")]
    [InlineData("alice)(uid=*", "ldap-alice-password")]
    public async Task WrongPasswordsUnknownUsersAndFilterInjectionAreRefused(string user, string password)
    {
        var (ldap, auth) = await StartAsync();
        await using var _ = ldap;
        await using var __ = auth;
        using var client = auth.Basic(user, password);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/token?service={AuthTestServer.Service}")).StatusCode);
    }

    [Fact]
    public async Task LocalAccountsKeepWorkingAndAreNeverTakenOverByTheDirectory()
    {
        var (ldap, auth) = await StartAsync();
        await using var _ = ldap;
        await using var __ = auth;
        await auth.CreateUserAsync("local-twin"); // the directory has a local-twin too, with another password
        await auth.TokenAsync("local-twin", AuthTestServer.PasswordOf("local-twin"));
        using var directoryPassword = auth.Basic("local-twin", LdapServer.PasswordOf("local-twin"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await directoryPassword.GetAsync($"/token?service={AuthTestServer.Service}")).StatusCode);
        await auth.TokenAsync(AuthTestServer.AdminUser, AuthTestServer.AdminPassword);
    }

    [Fact]
    public async Task DisabledAccountsGetInWithNothingUntilEnabled()
    {
        var (ldap, auth) = await StartAsync();
        await using var _ = ldap;
        await using var __ = auth;
        await auth.TokenAsync("alice", LdapServer.PasswordOf("alice"));
        await auth.CreateUserAsync("dev");
        using var dev = auth.Basic("dev", AuthTestServer.PasswordOf("dev"));
        var created = await AuthTestServer.Expect(await dev.PostAsJsonAsync("/api/v1/user/tokens", new { name = "ci", actions = new[] { "pull" } }), HttpStatusCode.Created);
        using var pat = auth.Basic("dev", created.GetProperty("token").GetString()!);

        foreach (var name in new[] { "alice", "dev" })
        {
            var disabled = await AuthTestServer.Expect(await auth.Admin.PostAsync($"/api/v1/users/{name}/disable", null), HttpStatusCode.OK);
            Assert.NotEqual(System.Text.Json.JsonValueKind.Null, disabled.GetProperty("disabledAt").ValueKind);
        }
        using var alice = auth.Basic("alice", LdapServer.PasswordOf("alice"));
        foreach (var client in new[] { alice, dev, pat })
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/token?service={AuthTestServer.Service}")).StatusCode);

        await AuthTestServer.Expect(await auth.Admin.PostAsync("/api/v1/users/dev/enable", null), HttpStatusCode.OK);
        await auth.TokenAsync("dev", AuthTestServer.PasswordOf("dev"));
        await AuthTestServer.Expect(await auth.Admin.PostAsync($"/api/v1/users/{AuthTestServer.AdminUser}/disable", null), HttpStatusCode.Conflict);
        using var notAdmin = await dev.PostAsync("/api/v1/users/alice/enable", null);
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
    }

    [Fact]
    public async Task ADirectoryThatIsDownRefusesItsUsersButNotLocalOnes()
    {
        var (ldap, auth) = await StartAsync();
        await using var __ = auth;
        await ldap.DisposeAsync();
        using var alice = auth.Basic("alice", LdapServer.PasswordOf("alice"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync($"/token?service={AuthTestServer.Service}")).StatusCode);
        await auth.TokenAsync(AuthTestServer.AdminUser, AuthTestServer.AdminPassword);
    }
}

public sealed class SqliteLdapSignInTests() : LdapSignInTests(TestDatabase.Sqlite);
public sealed class PostgresLdapSignInTests() : LdapSignInTests(TestDatabase.Postgres);
