using System.Net;
using System.Net.Http.Json;
using System.Text;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Policies;

/// <summary>
/// Immutable tag rules through the real management API, enforced on real /v2 pushes and deletes. The tests share one
/// registry (<see cref="AuthServerFixture"/>), each with an organization of its own.
/// </summary>
public abstract class TagImmutabilityTests(AuthServerFixture fixture)
{
    private readonly AuthTestServer auth = fixture.Auth;

    [Fact]
    public async Task ImmutableTagRefusesMoveAndDeleteButAcceptsTheSameDigestAgain()
    {
        await auth.CreateOrganizationAsync("acme");
        var rule = await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/tag-rules",
            new { repositories = "app*", tags = "v*", immutable = true }), HttpStatusCode.Created);
        var ruleId = rule.GetProperty("id").GetInt64();

        var (first, firstDigest) = await auth.Admin.PushImageAsync("acme/app", "v1", Encoding.UTF8.GetBytes("release one"));
        using (var again = await auth.Admin.PutManifestAsync("acme/app", "v1", first, Registry.Oci.MediaTypes.OciManifest))
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);

        var (_, secondDigest) = await auth.Admin.PushImageAsync("acme/app", "latest", Encoding.UTF8.GetBytes("release two"));
        var second = await auth.Admin.GetByteArrayAsync($"/v2/acme/app/manifests/{secondDigest}");
        using (var moved = await auth.Admin.PutManifestAsync("acme/app", "v1", second, Registry.Oci.MediaTypes.OciManifest))
        {
            Assert.Equal(HttpStatusCode.Forbidden, moved.StatusCode);
            Assert.Equal("DENIED", await moved.ErrorCodeAsync());
            Assert.Contains($"rule {ruleId} of 'acme'", await moved.Content.ReadAsStringAsync());
        }
        Assert.Equal(firstDigest, await DigestOfTagAsync(auth.Admin, "acme/app", "v1"));

        using (var deleteTag = await auth.Admin.DeleteAsync("/v2/acme/app/manifests/v1"))
            Assert.Equal("DENIED", await deleteTag.ErrorCodeAsync());
        using (var deleteManifest = await auth.Admin.DeleteAsync($"/v2/acme/app/manifests/{firstDigest}"))
            Assert.Equal(HttpStatusCode.Forbidden, deleteManifest.StatusCode);
        Assert.Equal(firstDigest, await DigestOfTagAsync(auth.Admin, "acme/app", "v1"));

        // Tags outside the rule, and repositories outside it, move and go as usual.
        using (var movedLatest = await auth.Admin.PutManifestAsync("acme/app", "latest", first, Registry.Oci.MediaTypes.OciManifest))
            Assert.Equal(HttpStatusCode.Created, movedLatest.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await auth.Admin.DeleteAsync("/v2/acme/app/manifests/latest")).StatusCode);
        await auth.Admin.PushImageAsync("acme/base", "v1", Encoding.UTF8.GetBytes("base one"));
        await auth.Admin.PushImageAsync("acme/base", "v1", Encoding.UTF8.GetBytes("base two"));

        // Without the rule, the tag moves.
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync($"/api/v1/orgs/acme/tag-rules/{ruleId}"), HttpStatusCode.NoContent);
        using (var movedNow = await auth.Admin.PutManifestAsync("acme/app", "v1", second, Registry.Oci.MediaTypes.OciManifest))
            Assert.Equal(HttpStatusCode.Created, movedNow.StatusCode);
        Assert.Equal(secondDigest, await DigestOfTagAsync(auth.Admin, "acme/app", "v1"));
        var audit = await auth.Admin.GetStringAsync("/api/v1/orgs/acme/audit");
        Assert.Contains("org.tag-rule.create", audit);
        Assert.Contains("org.tag-rule.delete", audit);
    }

    [Fact]
    public async Task TagRulesNeedAMaintainerAndValidPatterns()
    {
        await auth.CreateOrganizationAsync("rules");
        await auth.CreateUserAsync("dev");
        await auth.CreateUserAsync("stranger");
        await auth.SetMemberAsync("rules", "dev", "developer");
        using var dev = auth.Basic("dev", AuthTestServer.PasswordOf("dev"));
        using var stranger = auth.Basic("stranger", AuthTestServer.PasswordOf("stranger"));

        var bad = await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/rules/tag-rules", new { repositories = "App/*", tags = "v*" }), HttpStatusCode.BadRequest);
        Assert.Equal("INVALID", bad.GetProperty("code").GetString());
        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/rules/tag-rules", new { repositories = "*", tags = "v 1" }), HttpStatusCode.BadRequest);
        await AuthTestServer.Expect(await dev.PostAsJsonAsync("/api/v1/orgs/rules/tag-rules", new { repositories = "*", tags = "v*" }), HttpStatusCode.Forbidden);
        await AuthTestServer.Expect(await stranger.GetAsync("/api/v1/orgs/rules/tag-rules"), HttpStatusCode.NotFound);
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync("/api/v1/orgs/rules/tag-rules/999"), HttpStatusCode.NotFound);
        Assert.Equal("[]", await dev.GetStringAsync("/api/v1/orgs/rules/tag-rules"));

        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/rules/tag-rules", new { repositories = "*", tags = "release-*" }), HttpStatusCode.Created);
        var listed = await AuthTestServer.Expect(await dev.GetAsync("/api/v1/orgs/rules/tag-rules"), HttpStatusCode.OK);
        Assert.Equal("release-*", Assert.Single(listed.EnumerateArray()).GetProperty("tags").GetString());
    }

    private static async Task<string?> DigestOfTagAsync(HttpClient client, string repository, string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.ParseAdd(Registry.Oci.MediaTypes.OciManifest);
        using var response = await client.SendAsync(request);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : null;
    }
}

public sealed class SqliteTagImmutabilityTests(SqliteAuthServerFixture fixture) : TagImmutabilityTests(fixture), IClassFixture<SqliteAuthServerFixture>;
[Trait("Category", "Integration")]
public sealed class PostgresTagImmutabilityTests(PostgresAuthServerFixture fixture) : TagImmutabilityTests(fixture), IClassFixture<PostgresAuthServerFixture>;
