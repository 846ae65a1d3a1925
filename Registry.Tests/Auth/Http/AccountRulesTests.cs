using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Registry.Auth.Accounts;
using Registry.Auth.Data;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// The account rules that live in Registry.Auth's services (<see cref="OrganizationAccounts"/>, <see cref="UserAccounts"/>,
/// <see cref="TeamAccounts"/>), seen through /api/v1 and, once, by calling the service as any host would.
/// </summary>
public abstract class AccountRulesTests(TestDatabase database)
{
    [Fact]
    public async Task TheLastOwnerCanNeitherLeaveNorBeRemovedNorDemoted()
    {
        await using var auth = await AuthTestServer.StartAsync(database);
        await auth.CreateOrganizationAsync("acme"); // the admin is its only owner
        var admin = AuthTestServer.AdminUser;
        var demoted = await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync($"/api/v1/orgs/acme/members/{admin}", new { role = "maintainer" }),
            HttpStatusCode.Conflict);
        Assert.Equal("an organization keeps at least one owner", demoted.GetProperty("detail").GetString());
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync($"/api/v1/orgs/acme/members/{admin}"), HttpStatusCode.Conflict);

        // With a second owner the first may step down; the second is then the last one.
        await auth.CreateUserAsync("bob");
        await auth.SetMemberAsync("acme", "bob", "owner");
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync($"/api/v1/orgs/acme/members/{admin}", new { role = "reader" }), HttpStatusCode.OK);
        using var bob = auth.Basic("bob", AuthTestServer.PasswordOf("bob"));
        await AuthTestServer.Expect(await bob.DeleteAsync("/api/v1/orgs/acme/members/bob"), HttpStatusCode.Conflict);
        await AuthTestServer.Expect(await bob.PutAsJsonAsync("/api/v1/orgs/acme/members/bob", new { role = "developer" }), HttpStatusCode.Conflict);
        var members = await AuthTestServer.Expect(await bob.GetAsync("/api/v1/orgs/acme/members"), HttpStatusCode.OK);
        Assert.Equal([(admin, "reader"), ("bob", "owner")],
            members.EnumerateArray().Select(m => (m.GetProperty("user").GetString(), m.GetProperty("role").GetString())));
    }

    [Fact]
    public async Task LeavingAnOrganizationLeavesItsTeamsButNotOtherOrganizations()
    {
        await using var auth = await AuthTestServer.StartAsync(database);
        await auth.CreateUserAsync("dev");
        foreach (var org in new[] { "acme", "globex" })
        {
            await auth.CreateOrganizationAsync(org);
            await auth.SetMemberAsync(org, "dev", "developer");
            await auth.CreateTeamAsync(org, "web", "app", ["pull", "push"], "dev");
        }
        using (var dev = auth.Basic("dev", AuthTestServer.PasswordOf("dev")))
        {
            // A developer may not remove others, but may leave.
            await AuthTestServer.Expect(await dev.DeleteAsync($"/api/v1/orgs/acme/members/{AuthTestServer.AdminUser}"), HttpStatusCode.Forbidden);
            await AuthTestServer.Expect(await dev.DeleteAsync("/api/v1/orgs/acme/members/dev"), HttpStatusCode.NoContent);
        }
        Assert.Equal("[]", await auth.Admin.GetStringAsync("/api/v1/orgs/acme/teams/web/members"));
        Assert.Equal("[\"dev\"]", await auth.Admin.GetStringAsync("/api/v1/orgs/globex/teams/web/members"));
        // Coming back does not bring the old team grants back.
        await auth.SetMemberAsync("acme", "dev", "developer");
        Assert.Equal("[]", await auth.Admin.GetStringAsync("/api/v1/orgs/acme/teams/web/members"));
        var stillInGlobex = AuthTestServer.AccessOf(await auth.TokenAsync("dev", AuthTestServer.PasswordOf("dev"), "repository:globex/app:pull,push"));
        Assert.Contains(stillInGlobex, access => access.StartsWith("repository:globex/app:") && access.Contains("push"));
        var backInAcme = AuthTestServer.AccessOf(await auth.TokenAsync("dev", AuthTestServer.PasswordOf("dev"), "repository:acme/app:pull,push"));
        Assert.DoesNotContain(backInAcme, access => access.Contains("push"));
    }

    [Fact]
    public async Task UsersAndOrganizationsShareOneNamespace()
    {
        await using var auth = await AuthTestServer.StartAsync(database);
        await auth.CreateUserAsync("alice");
        await auth.CreateOrganizationAsync("acme");
        var taken = await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs", new { name = "alice" }), HttpStatusCode.Conflict);
        Assert.Equal("'alice' is already a user or organization", taken.GetProperty("detail").GetString());
        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/users", new { name = "acme", password = "long-enough-1" }), HttpStatusCode.Conflict);

        // The rule is the service's, whoever calls it, and a refused change writes nothing (not even its audit entry).
        await using (var scope = auth.Server.CreateScope())
        {
            var organizations = scope.ServiceProvider.GetRequiredService<OrganizationAccounts>();
            var (created, problem) = await organizations.CreateAsync(new AccountActor(AuthTestServer.AdminUser, null), "alice", RepositoryVisibility.Private, default);
            Assert.Null(created);
            Assert.Equal(AccountProblemKind.Conflict, problem!.Kind);
        }
        var audit = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/audit"), HttpStatusCode.OK);
        Assert.Equal(["acme"], audit.EnumerateArray().Where(e => e.GetProperty("action").GetString() == "org.create").Select(e => e.GetProperty("target").GetString()));
    }
}

public sealed class SqliteAccountRulesTests() : AccountRulesTests(TestDatabase.Sqlite);
[Trait("Category", "Integration")]
public sealed class PostgresAccountRulesTests() : AccountRulesTests(TestDatabase.Postgres);
