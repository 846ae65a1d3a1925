using Registry.Oci;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Registry.Auth;
using Registry.Auth.Tokens;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// The token-auth flow over real HTTP: challenges, /token answers, grants, expiry, tampering, scope misuse. The tests
/// share one registry (<see cref="TokenFlowFixture"/>); a test that changes something (a push, a password, a
/// visibility) does it to a repository or user of its own, and catalog checks hold whatever else the registry holds.
/// </summary>
public abstract class TokenFlowTests(TokenFlowFixture fixture)
{
    private readonly AuthTestServer auth = fixture.Auth;

    [Fact]
    public async Task NoCredentialsGet401WithABearerChallengeNamingRealmServiceAndScope()
    {
        using var client = auth.Anonymous();
        using var response = await client.GetAsync("/v2/acme/app-web/manifests/v1");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.Single().ToString();
        Assert.Equal($"Bearer realm=\"{auth.Server.BaseAddress}token\",service=\"{AuthTestServer.Service}\",scope=\"repository:acme/app-web:pull\"", challenge);
        Assert.Equal("UNAUTHORIZED", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0].GetProperty("code").GetString());
        using var root = await client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, root.StatusCode);
    }

    [Fact]
    public async Task TokenEndpointAnswersTheDockerFieldsAndGrantsTheIntersectionOfAskedAndAllowed()
    {
        using var client = auth.Basic("dev", AuthTestServer.PasswordOf("dev"));
        using var response = await client.GetAsync($"/token?service={AuthTestServer.Service}&account=ignored"
            + "&scope=repository:acme/app-web:pull,push,delete,manage&scope=repository:acme/secret:pull&scope=repository:globex/tool:pull&scope=registry:catalog:*");
        var body = await AuthTestServer.Expect(response, HttpStatusCode.OK);
        var token = body.GetProperty("token").GetString()!;
        Assert.Equal(token, body.GetProperty("access_token").GetString());
        Assert.Equal(300, body.GetProperty("expires_in").GetInt32());
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("issued_at").GetString(), out _));
        // Developer role caps the team's delete; manage is never a registry scope; the rest is not allowed at all.
        Assert.Equal(["registry:catalog:*", "repository:acme/app-web:pull,push"], AuthTestServer.AccessOf(token).Order());
        var jwt = new JsonWebToken(token);
        Assert.Equal("ES256", jwt.Alg);
        Assert.False(string.IsNullOrEmpty(jwt.Kid));
        Assert.Equal(AuthTestServer.Service, jwt.Audiences.Single());
    }

    [Fact]
    public async Task MemberOfAnotherOrganizationIsDeniedAndDoesNotSeeTheRepositoryInTheCatalog()
    {
        var token = await auth.TokenAsync("rival", AuthTestServer.PasswordOf("rival"), "repository:acme/app-web:pull", "registry:catalog:*");
        using var client = auth.Bearer(token);
        using var pull = await client.GetAsync("/v2/acme/app-web/manifests/v1");
        Assert.Equal(HttpStatusCode.Forbidden, pull.StatusCode);
        Assert.Contains("DENIED", await pull.Content.ReadAsStringAsync());
        var catalog = await CatalogAsync(client);
        Assert.Contains("globex/tool", catalog);
        Assert.DoesNotContain(catalog, repository => repository.StartsWith("acme/", StringComparison.Ordinal));
        using var basic = auth.Basic("rival", AuthTestServer.PasswordOf("rival"));
        using var basicPull = await basic.GetAsync("/v2/acme/app-web/manifests/v1");
        Assert.Equal(HttpStatusCode.Forbidden, basicPull.StatusCode);
    }

    [Fact]
    public async Task CatalogListsOnlyWhatTheCallerMayPull()
    {
        var token = await auth.TokenAsync("dev", AuthTestServer.PasswordOf("dev"), "registry:catalog:*");
        using var client = auth.Bearer(token);
        var catalog = await CatalogAsync(client);
        Assert.Contains("acme/app-api", catalog);
        Assert.Contains("acme/app-web", catalog);
        Assert.DoesNotContain("acme/secret", catalog);
        Assert.DoesNotContain("globex/tool", catalog);
        // Whatever else the shared registry holds by now: dev may pull every repository listed.
        using var dev = auth.Basic("dev", AuthTestServer.PasswordOf("dev"));
        foreach (var repository in catalog)
            Assert.True((await dev.GetAsync($"/v2/{repository}/tags/list")).StatusCode == HttpStatusCode.OK, $"dev sees {repository} but may not pull it");
        var admin = await CatalogAsync(auth.Admin);
        Assert.Superset(new HashSet<string> { "acme/app-api", "acme/app-web", "acme/secret", "globex/tool" }, admin.ToHashSet());
    }

    [Fact]
    public async Task TokenForOneRepositoryDoesNotOpenAnother()
    {
        var token = await auth.TokenAsync("dev", AuthTestServer.PasswordOf("dev"), "repository:acme/app-web:pull");
        using var client = auth.Bearer(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v2/acme/app-web/manifests/v1")).StatusCode);
        // dev could pull app-api with the right token: 401 insufficient_scope tells the client to get one.
        using var other = await client.GetAsync("/v2/acme/app-api/manifests/v1");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", other.Headers.WwwAuthenticate.Single().ToString());
        // dev may never read acme/secret: 403.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/v2/acme/secret/manifests/v1")).StatusCode);
        // A pull token does not allow a push to the same repository.
        using var push = await client.PostAsync("/v2/acme/app-web/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
        Assert.Contains("scope=\"repository:acme/app-web:pull,push\"", push.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task TamperedTokenIsRejected()
    {
        var token = await auth.TokenAsync("dev", AuthTestServer.PasswordOf("dev"), "repository:acme/app-web:pull");
        var parts = token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("acme/app-web", "acme/secret");
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        using var client = auth.Bearer(forged);
        using var response = await client.GetAsync("/v2/acme/secret/manifests/v1");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var unsigned = auth.Bearer($"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{parts[1]}.");
        Assert.Equal(HttpStatusCode.Unauthorized, (await unsigned.GetAsync("/v2/acme/app-web/manifests/v1")).StatusCode);
    }

    [Fact]
    public async Task ExpiredTokenSignedWithTheServersOwnKeyIsRejected()
    {
        // Sign with the very key the server generated, with a lifetime already over: only expiry can refuse it.
        var keys = SigningKeyStore.Load(new AuthOptions { SigningKeyPath = auth.SigningKeyPath }, auth.Server.DataDirectory);
        var past = new ManualClock(DateTimeOffset.UtcNow - TimeSpan.FromHours(1));
        var issuer = new RegistryTokenService(keys, new AuthOptions { Service = AuthTestServer.Service }, past);
        var subject = new TokenSubject(CredentialKind.Password, AuthTestServer.AdminUser, 1);
        var expired = issuer.IssueAccess(subject, [ResourceScope.Parse("repository:acme/app-web:pull")]).Token;
        using var client = auth.Bearer(expired);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v2/acme/app-web/manifests/v1")).StatusCode);
        // The same key and claims with a current clock work, so the refusal above was the expiry.
        var fresh = new RegistryTokenService(keys, new AuthOptions { Service = AuthTestServer.Service }, TimeProvider.System)
            .IssueAccess(subject, [ResourceScope.Parse("repository:acme/app-web:pull")]).Token;
        using var freshClient = auth.Bearer(fresh);
        Assert.Equal(HttpStatusCode.OK, (await freshClient.GetAsync("/v2/acme/app-web/manifests/v1")).StatusCode);
    }

    [Fact]
    public async Task BasicCredentialsStraightToV2PushAndPull()
    {
        using var dev = auth.Basic("dev", AuthTestServer.PasswordOf("dev"));
        var (manifest, _) = await dev.PushImageAsync("acme/app-new", "1.0", Encoding.UTF8.GetBytes("new app layer"));
        using var pulled = await dev.GetAsync("/v2/acme/app-new/manifests/1.0");
        Assert.Equal(manifest, await pulled.Content.ReadAsByteArrayAsync());
        using var wrong = auth.Basic("dev", "wrong-password");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v2/acme/app-new/manifests/1.0")).StatusCode);
    }

    [Fact]
    public async Task FirstPushCreatesARepositoryOnlyForThoseAllowedToPushInTheNamespace()
    {
        using var dev = auth.Basic("dev", AuthTestServer.PasswordOf("dev"));
        using var outsideTeamPattern = await dev.PostAsync("/v2/acme/not-an-app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Forbidden, outsideTeamPattern.StatusCode);
        using var rival = auth.Basic("rival", AuthTestServer.PasswordOf("rival"));
        Assert.Equal(HttpStatusCode.Forbidden, (await rival.PostAsync("/v2/acme/app-rival/blobs/uploads/", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await dev.PostAsync("/v2/nobody/app/blobs/uploads/", null)).StatusCode);
        // The administrator may push anywhere, even into a namespace nobody owns.
        await auth.Admin.PushImageAsync("nobody/app", "1", Encoding.UTF8.GetBytes("admin layer"));
        // Users own their own namespace.
        await rival.PushImageAsync("rival/tool", "1", Encoding.UTF8.GetBytes("rival layer"));
    }

    [Fact]
    public async Task PasswordAndRefreshTokenGrantsWorkAndAPasswordChangeEndsRefreshTokens()
    {
        // The password changes: a user of this test's own, owner of globex like rival.
        await auth.CreateUserAsync("refresher");
        await auth.SetMemberAsync("globex", "refresher", "owner");
        using var client = auth.Anonymous();
        using var login = await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "refresher", ["password"] = AuthTestServer.PasswordOf("refresher"),
            ["service"] = AuthTestServer.Service, ["client_id"] = "test", ["access_type"] = "offline", ["scope"] = "repository:globex/tool:pull",
        }));
        var body = await AuthTestServer.Expect(login, HttpStatusCode.OK);
        Assert.Equal(["repository:globex/tool:pull"], AuthTestServer.AccessOf(body.GetProperty("access_token").GetString()!));
        var refresh = body.GetProperty("refresh_token").GetString()!;

        var refreshed = await AuthTestServer.Expect(await client.PostAsync("/token", RefreshForm(refresh, "repository:globex/tool:pull,push")), HttpStatusCode.OK);
        Assert.Equal(["repository:globex/tool:pull,push"], AuthTestServer.AccessOf(refreshed.GetProperty("access_token").GetString()!));

        using var refresher = auth.Basic("refresher", AuthTestServer.PasswordOf("refresher"));
        await AuthTestServer.Expect(await refresher.PutAsJsonAsync("/api/v1/user/password",
            new { currentPassword = AuthTestServer.PasswordOf("refresher"), newPassword = "a-brand-new-password" }), HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/token", RefreshForm(refresh, "repository:globex/tool:pull"))).StatusCode);

        using var badGrant = await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }));
        Assert.Equal(HttpStatusCode.BadRequest, badGrant.StatusCode);
    }

    [Fact]
    public async Task AnonymousTokenPullsPublicRepositoriesOnly()
    {
        await auth.Admin.PushImageAsync("globex/public-tool", "v1", Encoding.UTF8.GetBytes("public tool layer"));
        await auth.SetVisibilityAsync("globex/public-tool", "public");
        var token = await auth.TokenAsync(null, null, "repository:globex/public-tool:pull,push", "repository:acme/app-web:pull", "repository:globex/tool:pull");
        Assert.Equal(["repository:globex/public-tool:pull"], AuthTestServer.AccessOf(token));
        using var client = auth.Bearer(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v2/globex/public-tool/manifests/v1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v2/acme/app-web/manifests/v1")).StatusCode);
    }

    private static async Task<List<string>> CatalogAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/v2/_catalog")).GetProperty("repositories").EnumerateArray().Select(r => r.GetString()!).ToList();

    private static FormUrlEncodedContent RefreshForm(string refreshToken, string scope) => new(new Dictionary<string, string>
    {
        ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["service"] = AuthTestServer.Service,
        ["client_id"] = "test", ["scope"] = scope,
    });
}

public sealed class SqliteTokenFlowTests(SqliteTokenFlowFixture fixture) : TokenFlowTests(fixture), IClassFixture<SqliteTokenFlowFixture>;
[Trait("Category", "Integration")]
public sealed class PostgresTokenFlowTests(PostgresTokenFlowFixture fixture) : TokenFlowTests(fixture), IClassFixture<PostgresTokenFlowFixture>;

/// <summary>
/// Organizations acme (dev: developer, in team apps with app-* pull/push/delete) and globex (rival: owner); private
/// images acme/app-web, acme/app-api, acme/secret and globex/tool, tag v1 each.
/// </summary>
public abstract class TokenFlowFixture(TestDatabase database) : AuthServerFixture(database)
{
    protected override async Task SeedAsync(AuthTestServer auth)
    {
        await auth.CreateOrganizationAsync("acme");
        await auth.CreateOrganizationAsync("globex");
        await auth.CreateUserAsync("dev");
        await auth.SetMemberAsync("acme", "dev", "developer");
        await auth.CreateTeamAsync("acme", "apps", "app-*", ["pull", "push", "delete"], "dev");
        await auth.CreateUserAsync("rival");
        await auth.SetMemberAsync("globex", "rival", "owner");
        await auth.Admin.PushImageAsync("acme/app-web", "v1", Encoding.UTF8.GetBytes("web layer"));
        await auth.Admin.PushImageAsync("acme/app-api", "v1", Encoding.UTF8.GetBytes("api layer"));
        await auth.Admin.PushImageAsync("acme/secret", "v1", Encoding.UTF8.GetBytes("secret layer"));
        await auth.Admin.PushImageAsync("globex/tool", "v1", Encoding.UTF8.GetBytes("tool layer"));
    }
}

public sealed class SqliteTokenFlowFixture() : TokenFlowFixture(TestDatabase.Sqlite);
public sealed class PostgresTokenFlowFixture() : TokenFlowFixture(TestDatabase.Postgres);
