using System.Net;
using System.Net.Http.Json;
using System.Text;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// Revoked robots and personal tokens stop working at once, tokens included; failed logins are rate-limited. The
/// revocation tests share one registry (<see cref="AuthServerFixture"/>); the rate-limit test starts its own (lower limits).
/// </summary>
public abstract class RevocationAndRateLimitTests(AuthServerFixture fixture)
{
    private readonly AuthTestServer auth = fixture.Auth;

    [Fact]
    public async Task RevokedRobotStopsWorkingAtOnceEvenWithATokenIssuedBefore()
    {
        await auth.CreateOrganizationAsync("acme");
        await auth.Admin.PushImageAsync("acme/base", "1", Encoding.UTF8.GetBytes("base layer"));
        var (login, secret) = await auth.CreateRobotAsync("acme", "agent", "base", "pull");
        var token = await auth.TokenAsync(login, secret, "repository:acme/base:pull");
        using var bearer = auth.Bearer(token);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/v2/acme/base/manifests/1")).StatusCode);

        await AuthTestServer.Expect(await auth.Admin.DeleteAsync("/api/v1/orgs/acme/robots/agent"), HttpStatusCode.NoContent);

        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/v2/acme/base/manifests/1")).StatusCode);
        using var basic = auth.Basic(login, secret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await basic.GetAsync("/v2/acme/base/manifests/1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await basic.GetAsync("/token?scope=repository:acme/base:pull")).StatusCode);
    }

    [Fact]
    public async Task PersonalTokenWorksAsAPasswordWithinItsActionsAndStopsWhenRevoked()
    {
        await auth.CreateUserAsync("dev");
        using var dev = auth.Basic("dev", AuthTestServer.PasswordOf("dev"));
        var created = await AuthTestServer.Expect(await dev.PostAsJsonAsync("/api/v1/user/tokens", new { name = "laptop", actions = new[] { "pull" } }), HttpStatusCode.Created);
        var pat = created.GetProperty("token").GetString()!;
        Assert.StartsWith("rpat_", pat);
        await dev.PushImageAsync("dev/tool", "1", Encoding.UTF8.GetBytes("tool layer"));

        var token = await auth.TokenAsync("dev", pat, "repository:dev/tool:pull,push");
        Assert.Equal(["repository:dev/tool:pull"], AuthTestServer.AccessOf(token));
        using var bearer = auth.Bearer(token);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/v2/dev/tool/manifests/1")).StatusCode);
        // The secret is not listed again.
        var listed = await dev.GetStringAsync("/api/v1/user/tokens");
        Assert.DoesNotContain(pat, listed);

        await AuthTestServer.Expect(await dev.DeleteAsync($"/api/v1/user/tokens/{created.GetProperty("id").GetInt64()}"), HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/v2/dev/tool/manifests/1")).StatusCode);
        using var patBasic = auth.Basic("dev", pat);
        Assert.Equal(HttpStatusCode.Unauthorized, (await patBasic.GetAsync("/v2/dev/tool/manifests/1")).StatusCode);
    }

    [Fact]
    public async Task FailedLoginsAreLimitedPerUserAndAddressAndPerAddressWith429()
    {
        await using var auth = await AuthTestServer.StartAsync(fixture.Database, new Dictionary<string, string?>
        {
            ["Registry:Auth:RateLimit:MaxFailuresPerUserAndAddress"] = "3",
            ["Registry:Auth:RateLimit:MaxFailuresPerAddress"] = "6",
        });
        await auth.CreateUserAsync("victim");
        await auth.CreateUserAsync("bystander");
        using var wrong = auth.Basic("victim", "not-the-password");
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/token")).StatusCode);

        // Now even the right password is refused for this user from this address, without being checked.
        using var right = auth.Basic("victim", AuthTestServer.PasswordOf("victim"));
        using var limited = await right.GetAsync("/token");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("TOOMANYREQUESTS", await limited.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, (await right.GetAsync("/v2/")).StatusCode);
        using var passwordGrant = await auth.Anonymous().PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["grant_type"] = "password", ["username"] = "victim", ["password"] = AuthTestServer.PasswordOf("victim") }));
        Assert.Equal(HttpStatusCode.TooManyRequests, passwordGrant.StatusCode);

        // Another user from the same address still gets in until the address's own limit is reached.
        using var bystander = auth.Basic("bystander", AuthTestServer.PasswordOf("bystander"));
        Assert.Equal(HttpStatusCode.OK, (await bystander.GetAsync("/token")).StatusCode);
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await auth.Basic($"guess{i}", "x").GetAsync("/token")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await bystander.GetAsync("/token")).StatusCode);
    }
}

public sealed class SqliteRevocationAndRateLimitTests(SqliteAuthServerFixture fixture)
    : RevocationAndRateLimitTests(fixture), IClassFixture<SqliteAuthServerFixture>;
[Trait("Category", "Integration")]
public sealed class PostgresRevocationAndRateLimitTests(PostgresAuthServerFixture fixture)
    : RevocationAndRateLimitTests(fixture), IClassFixture<PostgresAuthServerFixture>;
