using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Registry.Tests.Events;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// Every /api/v1 list pages with <c>?n=&amp;last=</c> and a <c>Link: &lt;…&gt;; rel="next"</c> header: walking the links
/// from the first page yields each entry exactly once, in the list's order; a bad <c>n</c> or <c>last</c> is a 400 problem.
/// The tests share one registry (<see cref="AuthServerFixture"/>) with organizations of their own; the walk of the
/// registry-wide lists (users, organizations) starts a registry of its own.
/// </summary>
public abstract partial class ManagementPagingTests(AuthServerFixture fixture)
{
    private const int PageSize = 2;

    [Fact]
    public async Task AccountListsWalkThroughLinksEveryEntryOnceInOrder()
    {
        await using var auth = await AuthTestServer.StartAsync(fixture.Database);
        string[] users = ["u01", "u02", "u03", "u04", "u05"];
        foreach (var user in users) await auth.CreateUserAsync(user);
        string[] orgs = ["o01", "o02", "o03", "o04", "o05"];
        foreach (var org in orgs) await auth.CreateOrganizationAsync(org);
        foreach (var user in users) await auth.SetMemberAsync("o01", user, "developer");
        foreach (var team in new[] { "t01", "t02", "t03" }) await auth.CreateTeamAsync("o01", team, "app-*", ["pull"]);
        foreach (var user in users) await AuthTestServer.Expect(await auth.Admin.PutAsync($"/api/v1/orgs/o01/teams/t01/members/{user}", null), HttpStatusCode.NoContent);
        foreach (var pattern in new[] { "a-*", "b-*", "c-*", "d-*" })
            await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/o01/teams/t02/grants", new { pattern, actions = new[] { "pull" } }), HttpStatusCode.Created);
        foreach (var robot in new[] { "r01", "r02", "r03", "r04", "r05" }) await auth.CreateRobotAsync("o01", robot, "app-*", "pull");
        var tokenIds = new List<long>();
        foreach (var name in new[] { "k1", "k2", "k3", "k4", "k5" })
            tokenIds.Add((await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/user/tokens", new { name }), HttpStatusCode.Created)).GetProperty("id").GetInt64());

        Assert.Equal([AuthTestServer.AdminUser, .. users], await WalkAsync(auth.Admin, "/api/v1/users", "name"));
        Assert.Equal(orgs, await WalkAsync(auth.Admin, "/api/v1/orgs", "name"));
        Assert.Equal([AuthTestServer.AdminUser, .. users], await WalkAsync(auth.Admin, "/api/v1/orgs/o01/members", "user"));
        Assert.Equal(["t01", "t02", "t03"], await WalkAsync(auth.Admin, "/api/v1/orgs/o01/teams", "name"));
        Assert.Equal(users, await WalkAsync(auth.Admin, "/api/v1/orgs/o01/teams/t01/members", null));
        Assert.Equal(["app-*", "a-*", "b-*", "c-*", "d-*"], await WalkAsync(auth.Admin, "/api/v1/orgs/o01/teams/t02/grants", "pattern"));
        Assert.Equal(["r01", "r02", "r03", "r04", "r05"], await WalkAsync(auth.Admin, "/api/v1/orgs/o01/robots", "name"));
        Assert.Equal(tokenIds.Select(id => id.ToString()), await WalkAsync(auth.Admin, "/api/v1/user/tokens", "id"));
        // A member who is not an administrator sees only their organizations, paged the same way.
        foreach (var org in orgs[1..4]) await auth.SetMemberAsync(org, "u03", "reader");
        using var member = auth.Basic("u03", AuthTestServer.PasswordOf("u03"));
        Assert.Equal(orgs[..4], await WalkAsync(member, "/api/v1/orgs", "name"));
    }

    [Fact]
    public async Task PolicyWebhookAndRepositoryListsWalkThroughLinksEveryEntryOnceInOrder()
    {
        await using var receiver = await new WebhookReceiver().StartAsync();
        var auth = fixture.Auth;
        await auth.CreateOrganizationAsync("paged");
        var ruleIds = new List<string>();
        foreach (var tags in new[] { "v1*", "v2*", "v3*", "v4*", "v5*" })
            ruleIds.Add((await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/paged/tag-rules",
                new { repositories = "*", tags, immutable = true }), HttpStatusCode.Created)).GetProperty("id").GetInt64().ToString());
        string[] retained = ["app-1", "app-2", "app-3", "app-4", "app-5"];
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync("/api/v1/orgs/paged/retention",
            retained.Select(repositories => new { repositories, keepLast = 5 })), HttpStatusCode.OK);
        var replicationIds = new List<string>();
        foreach (var prefix in new[] { "m1/", "m2/", "m3/", "m4/", "m5/" })
            replicationIds.Add((await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/paged/replications",
                new { repositories = "nothing-matches", target = "http://127.0.0.1:9", targetRepositoryPrefix = prefix }), HttpStatusCode.Created))
                .GetProperty("id").GetInt64().ToString());
        var webhookIds = new List<string>();
        foreach (var _ in Enumerable.Range(0, 5))
            webhookIds.Add((await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/paged/webhooks",
                new { url = receiver.Url, secret = "s3cret", events = new[] { "manifest.pushed" }, enabled = webhookIds.Count == 0 }),
                HttpStatusCode.Created)).GetProperty("id").GetInt64().ToString());
        string[] repositories = ["paged/r1", "paged/r2", "paged/r3", "paged/r4", "paged/r5"];
        foreach (var repository in repositories) await auth.Admin.PushImageAsync(repository, "latest", OciTestClient.RandomBytes(64));
        await auth.Admin.PushImageAsync("paged-elsewhere", "latest", OciTestClient.RandomBytes(64)); // outside the namespace filter
        await receiver.WaitForAsync(repositories.Length, TimeSpan.FromSeconds(60));

        Assert.Equal(ruleIds, await WalkAsync(auth.Admin, "/api/v1/orgs/paged/tag-rules", "id"));
        Assert.Equal(retained, await WalkAsync(auth.Admin, "/api/v1/orgs/paged/retention", "repositories"));
        Assert.Equal(replicationIds, await WalkAsync(auth.Admin, "/api/v1/orgs/paged/replications", "id"));
        Assert.Equal(webhookIds, await WalkAsync(auth.Admin, "/api/v1/orgs/paged/webhooks", "id"));
        // Deliveries come newest first: the pushes in reverse.
        Assert.Equal(Enumerable.Reverse(repositories), await WalkAsync(auth.Admin, $"/api/v1/orgs/paged/webhooks/{webhookIds[0]}/deliveries", "repository"));
        // The filter is repeated in every link, so the walk stays inside the namespace.
        Assert.Equal(repositories, await WalkAsync(auth.Admin, "/api/v1/repositories?namespace=paged", "name"));
    }

    [Fact]
    public async Task BadPageSizeOrLastIsAProblemAndSwaggerDeclaresThePaging()
    {
        var auth = fixture.Auth;
        await auth.CreateOrganizationAsync("badpage");
        await auth.CreateTeamAsync("badpage", "crew", "app-*", ["pull"]);
        var webhook = (await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/badpage/webhooks",
            new { url = "http://127.0.0.1:9/hook", secret = "s3cret" }), HttpStatusCode.Created)).GetProperty("id").GetInt64();
        string[] byName = ["users", "orgs", "orgs/badpage/members", "orgs/badpage/teams", "orgs/badpage/teams/crew/members", "orgs/badpage/robots", "repositories"];
        string[] byId = ["user/tokens", "orgs/badpage/teams/crew/grants", "orgs/badpage/tag-rules", "orgs/badpage/retention", "orgs/badpage/replications",
            "orgs/badpage/webhooks", $"orgs/badpage/webhooks/{webhook}/deliveries"];
        foreach (var list in byName.Concat(byId))
        {
            foreach (var query in new[] { "n=0", "n=1001", "n=-1", "n=two", "n=1.5" })
                await ExpectInvalidAsync(auth.Admin, $"/api/v1/{list}?{query}", "n");
            await ExpectInvalidAsync(auth.Admin, $"/api/v1/{list}?last={(byId.Contains(list) ? "abc" : "Not%20A%20Name")}", "last");
            await AuthTestServer.Expect(await auth.Admin.GetAsync($"/api/v1/{list}?n=1000"), HttpStatusCode.OK);
        }

        var paths = (await auth.Admin.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json")).GetProperty("paths");
        foreach (var list in byName.Concat(byId).Select(l => l.Replace("badpage", "{org}").Replace("crew", "{team}").Replace(webhook.ToString(), "{id}")))
        {
            var get = paths.GetProperty($"/api/v1/{list}").GetProperty("get");
            var parameters = get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Contains("n", parameters);
            Assert.Contains("last", parameters);
            Assert.True(get.GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("Link", out _), $"{list} declares no Link header");
            Assert.True(get.GetProperty("responses").TryGetProperty("400", out _), $"{list} declares no 400");
        }
    }

    private static async Task ExpectInvalidAsync(HttpClient client, string url, string parameter)
    {
        using var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} answered {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("INVALID", problem.GetProperty("code").GetString());
        Assert.StartsWith(parameter, problem.GetProperty("detail").GetString());
    }

    /// <summary>
    /// Follows <c>rel="next"</c> links from <paramref name="url"/> asking for pages of <see cref="PageSize"/>; the
    /// <paramref name="property"/> of every entry (the entry itself when null), in the order served.
    /// </summary>
    private static async Task<List<string>> WalkAsync(HttpClient client, string url, string? property)
    {
        var seen = new List<string>();
        string? next = url + (url.Contains('?') ? "&" : "?") + $"n={PageSize}";
        while (next is not null)
        {
            using var response = await client.GetAsync(next);
            var page = await AuthTestServer.Expect(response, HttpStatusCode.OK);
            var entries = page.EnumerateArray().Select(e => property is null ? e.ToString() : e.GetProperty(property).ToString()).ToList();
            next = response.Headers.TryGetValues("Link", out var links) ? NextLink().Match(links.Single()).Groups[1].Value : null;
            Assert.True(entries.Count == PageSize || next is null, $"{next}: a page of {entries.Count} with a next link");
            Assert.True(entries.Count > 0 || seen.Count == 0, $"{url}: an empty page after {seen.Count} entries");
            seen.AddRange(entries);
            Assert.True(seen.Count < 100, $"{url}: the links do not end");
        }
        return seen;
    }

    [GeneratedRegex("^<([^>]+)>; rel=\"next\"$")]
    private static partial Regex NextLink();
}

public sealed class SqliteManagementPagingTests(SqliteAuthServerFixture fixture) : ManagementPagingTests(fixture), IClassFixture<SqliteAuthServerFixture>;
[Trait("Category", "Integration")]
public sealed class PostgresManagementPagingTests(PostgresAuthServerFixture fixture) : ManagementPagingTests(fixture), IClassFixture<PostgresAuthServerFixture>;
