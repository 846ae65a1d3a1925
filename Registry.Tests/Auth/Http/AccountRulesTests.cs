using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Registry.Auth.Accounts;
using Registry.Auth.Data;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// The account rules that live in Registry.Auth's services (<see cref="OrganizationAccounts"/>, <see cref="UserAccounts"/>,
/// <see cref="TeamAccounts"/>), seen through /api/v1 and, once, by calling the service as any host would. The tests
/// share one registry (<see cref="AuthServerFixture"/>), each with organizations and users of its own.
/// </summary>
public abstract class AccountRulesTests(AuthServerFixture fixture)
{
    private readonly AuthTestServer auth = fixture.Auth;

    [Fact]
    public async Task TheLastOwnerCanNeitherLeaveNorBeRemovedNorDemoted()
    {
        await auth.CreateOrganizationAsync("owned"); // the admin is its only owner
        var admin = AuthTestServer.AdminUser;
        var demoted = await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync($"/api/v1/orgs/owned/members/{admin}", new { role = "maintainer" }),
            HttpStatusCode.Conflict);
        Assert.Equal("an organization keeps at least one owner", demoted.GetProperty("detail").GetString());
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync($"/api/v1/orgs/owned/members/{admin}"), HttpStatusCode.Conflict);

        // With a second owner the first may step down; the second is then the last one.
        await auth.CreateUserAsync("sole-owner");
        await auth.SetMemberAsync("owned", "sole-owner", "owner");
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync($"/api/v1/orgs/owned/members/{admin}", new { role = "reader" }), HttpStatusCode.OK);
        using var soleOwner = auth.Basic("sole-owner", AuthTestServer.PasswordOf("sole-owner"));
        await AuthTestServer.Expect(await soleOwner.DeleteAsync("/api/v1/orgs/owned/members/sole-owner"), HttpStatusCode.Conflict);
        await AuthTestServer.Expect(await soleOwner.PutAsJsonAsync("/api/v1/orgs/owned/members/sole-owner", new { role = "developer" }), HttpStatusCode.Conflict);
        var members = await AuthTestServer.Expect(await soleOwner.GetAsync("/api/v1/orgs/owned/members"), HttpStatusCode.OK);
        Assert.Equal([(admin, "reader"), ("sole-owner", "owner")],
            members.EnumerateArray().Select(m => (m.GetProperty("user").GetString(), m.GetProperty("role").GetString())));
    }

    [Fact]
    public async Task LeavingAnOrganizationLeavesItsTeamsButNotOtherOrganizations()
    {
        await auth.CreateUserAsync("leaver");
        foreach (var org in new[] { "left", "stayed" })
        {
            await auth.CreateOrganizationAsync(org);
            await auth.SetMemberAsync(org, "leaver", "developer");
            await auth.CreateTeamAsync(org, "web", "app", ["pull", "push"], "leaver");
        }
        using (var dev = auth.Basic("leaver", AuthTestServer.PasswordOf("leaver")))
        {
            // A developer may not remove others, but may leave.
            await AuthTestServer.Expect(await dev.DeleteAsync($"/api/v1/orgs/left/members/{AuthTestServer.AdminUser}"), HttpStatusCode.Forbidden);
            await AuthTestServer.Expect(await dev.DeleteAsync("/api/v1/orgs/left/members/leaver"), HttpStatusCode.NoContent);
        }
        Assert.Equal("[]", await auth.Admin.GetStringAsync("/api/v1/orgs/left/teams/web/members"));
        Assert.Equal("[\"leaver\"]", await auth.Admin.GetStringAsync("/api/v1/orgs/stayed/teams/web/members"));
        // Coming back does not bring the old team grants back.
        await auth.SetMemberAsync("left", "leaver", "developer");
        Assert.Equal("[]", await auth.Admin.GetStringAsync("/api/v1/orgs/left/teams/web/members"));
        var stillInGlobex = AuthTestServer.AccessOf(await auth.TokenAsync("leaver", AuthTestServer.PasswordOf("leaver"), "repository:stayed/app:pull,push"));
        Assert.Contains(stillInGlobex, access => access.StartsWith("repository:stayed/app:") && access.Contains("push"));
        var backInAcme = AuthTestServer.AccessOf(await auth.TokenAsync("leaver", AuthTestServer.PasswordOf("leaver"), "repository:left/app:pull,push"));
        Assert.DoesNotContain(backInAcme, access => access.Contains("push"));
    }

    [Fact]
    public async Task UsersAndOrganizationsShareOneNamespace()
    {
        await auth.CreateUserAsync("ns-alice");
        await auth.CreateOrganizationAsync("ns-acme");
        var taken = await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs", new { name = "ns-alice" }), HttpStatusCode.Conflict);
        Assert.Equal("'ns-alice' is already a user or organization", taken.GetProperty("detail").GetString());
        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/users", new { name = "ns-acme", password = "long-enough-1" }), HttpStatusCode.Conflict);

        // The rule is the service's, whoever calls it, and a refused change writes nothing (not even its audit entry).
        await using (var scope = auth.Server.CreateScope())
        {
            var organizations = scope.ServiceProvider.GetRequiredService<OrganizationAccounts>();
            var (created, problem) = await organizations.CreateAsync(new AccountActor(AuthTestServer.AdminUser, null), "ns-alice", RepositoryVisibility.Private, default);
            Assert.Null(created);
            Assert.Equal(AccountProblemKind.Conflict, problem!.Kind);
        }
        var audit = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/audit"), HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "org.create" && e.GetProperty("target").GetString() == "ns-acme");
        Assert.DoesNotContain(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "org.create" && e.GetProperty("target").GetString() == "ns-alice");
    }
}

public sealed class SqliteAccountRulesTests(SqliteAuthServerFixture fixture) : AccountRulesTests(fixture), IClassFixture<SqliteAuthServerFixture>;
[Trait("Category", "Integration")]
public sealed class PostgresAccountRulesTests(PostgresAuthServerFixture fixture) : AccountRulesTests(fixture), IClassFixture<PostgresAuthServerFixture>;
