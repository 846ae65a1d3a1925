using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>GET and DELETE of a repository's tags through /api/v1: pages, order, immutable rules, permissions, problem details.</summary>
/// <remarks>The tests share one registry (<see cref="AuthServerFixture"/>), each with an organization of its own.</remarks>
public abstract class RepositoryTagsApiTests(AuthServerFixture fixture)
{
    private readonly AuthTestServer auth = fixture.Auth;

    [Fact]
    public async Task TagsComeNewestPushFirstInPagesAndByNameOnRequest()
    {
        await auth.CreateOrganizationAsync("paged");
        foreach (var tag in new[] { "a", "b", "c" }) await auth.Admin.PushImageAsync("paged/app", tag, OciTestClient.RandomBytes(100));

        var first = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/repositories/paged/app/tags?size=2"), HttpStatusCode.OK);
        Assert.Equal(["c", "b"], Names(first));
        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.StartsWith("sha256:", first.GetProperty("tags")[0].GetProperty("digest").GetString());
        Assert.True(first.GetProperty("tags")[0].GetProperty("size").GetInt64() > 100);
        var second = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/repositories/paged/app/tags?size=2&page=1"), HttpStatusCode.OK);
        Assert.Equal(["a"], Names(second));
        var byName = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/repositories/paged/app/tags?sort=name"), HttpStatusCode.OK);
        Assert.Equal(["a", "b", "c"], Names(byName));

        using var bad = await auth.Admin.GetAsync("/api/v1/repositories/paged/app/tags?sort=size");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("INVALID", problem.GetProperty("code").GetString());
        Assert.Contains("sort", problem.GetProperty("detail").GetString());
        await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/repositories/paged/nothing/tags"), HttpStatusCode.NotFound);
        // The repository itself is still reached by its own route.
        await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/repositories/paged/app"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteRemovesOnlyTheTagAndHonoursImmutableRulesAndPermissions()
    {
        await auth.CreateOrganizationAsync("pruned");
        var (_, digest) = await auth.Admin.PushImageAsync("pruned/app", "v1", OciTestClient.RandomBytes(100));
        await auth.Admin.PushImageAsync("pruned/app", "latest", OciTestClient.RandomBytes(100));
        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/pruned/tag-rules", new { repositories = "*", tags = "v*", immutable = true }),
            HttpStatusCode.Created);
        await auth.CreateUserAsync("reader");
        await auth.SetMemberAsync("pruned", "reader", "reader");
        await auth.CreateTeamAsync("pruned", "readers", "app", ["pull"], "reader"); // may pull pruned/app, never delete
        await auth.CreateUserAsync("stranger");

        using var immutable = await auth.Admin.DeleteAsync("/api/v1/repositories/pruned/app/tags/v1");
        Assert.Equal(HttpStatusCode.Forbidden, immutable.StatusCode);
        var refusal = await immutable.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("DENIED", refusal.GetProperty("code").GetString());
        Assert.Contains("immutable", refusal.GetProperty("detail").GetString());
        using (var reader = auth.Basic("reader", AuthTestServer.PasswordOf("reader")))
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync("/api/v1/repositories/pruned/app/tags/latest")).StatusCode);
        using (var stranger = auth.Basic("stranger", AuthTestServer.PasswordOf("stranger")))
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.DeleteAsync("/api/v1/repositories/pruned/app/tags/latest")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await auth.Admin.DeleteAsync("/api/v1/repositories/pruned/app/tags/latest")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await auth.Admin.GetAsync("/v2/pruned/app/manifests/latest")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auth.Admin.GetAsync($"/v2/pruned/app/manifests/{digest}")).StatusCode);
        var left = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/repositories/pruned/app/tags"), HttpStatusCode.OK);
        Assert.Equal(["v1"], Names(left));
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync("/api/v1/repositories/pruned/app/tags/latest"), HttpStatusCode.NotFound);
    }

    private static List<string?> Names(JsonElement page) => page.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
}

public sealed class SqliteRepositoryTagsApiTests(SqliteAuthServerFixture fixture) : RepositoryTagsApiTests(fixture), IClassFixture<SqliteAuthServerFixture>;
[Trait("Category", "Integration")]
public sealed class PostgresRepositoryTagsApiTests(PostgresAuthServerFixture fixture) : RepositoryTagsApiTests(fixture), IClassFixture<PostgresAuthServerFixture>;
