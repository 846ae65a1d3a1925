using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// Behind a trusted proxy (here: loopback, named in Registry:ForwardedHeaders) the real client comes from
/// X-Forwarded-For/Proto/Host: failed-login limits, the audit log and challenges use it, and failures of one user
/// from one address cannot lock that user out from every other address. The failed-login tests share one registry
/// behind the proxy (<see cref="BehindProxyFixture"/>), each with users and client addresses of its own (the limits
/// count per user, per address and per pair); the tests of other settings start their own.
/// </summary>
public abstract class ForwardedClientTests(BehindProxyFixture fixture)
{
    private readonly TestDatabase database = fixture.Database;

    [Fact]
    public async Task FailuresFromOneAddressDoNotLockTheUserOutFromAnother()
    {
        var auth = fixture.Auth;
        await auth.CreateUserAsync("victim");
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(auth, "victim", "guess", from: "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(auth, "victim", AuthTestServer.PasswordOf("victim"), from: "203.0.113.7"));

        Assert.Equal(HttpStatusCode.OK, await LoginAsync(auth, "victim", AuthTestServer.PasswordOf("victim"), from: "198.51.100.2"));
    }

    [Fact]
    public async Task AnAddressGuessingManyUsersIsRefusedForEveryUser()
    {
        var auth = fixture.Auth;
        await auth.CreateUserAsync("bystander");
        for (var i = 0; i < 6; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(auth, $"guess{i}", "x", from: "203.0.113.9"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(auth, "bystander", AuthTestServer.PasswordOf("bystander"), from: "203.0.113.9"));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(auth, "bystander", AuthTestServer.PasswordOf("bystander"), from: "198.51.100.9"));
    }

    [Fact]
    public async Task PastTheGlobalUserLimitLoginsAreDelayedNotDenied()
    {
        var auth = fixture.Auth;
        await auth.CreateUserAsync("popular");
        // Eight addresses, two failures each: no (user, address) pair and no address reaches its limit.
        for (var i = 0; i < 8; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(auth, "popular", "guess", from: $"203.0.113.{20 + i / 2}"));

        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(auth, "popular", AuthTestServer.PasswordOf("popular"), from: "198.51.100.20"));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"the login past the per-user limit took only {clock.Elapsed}");
    }

    [Fact]
    public async Task ChallengesCarryTheOuterSchemeAndHostAndTheAuditLogTheRealClient()
    {
        await using var auth = await AuthTestServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Registry:ForwardedHeaders:KnownNetworks:0"] = "127.0.0.0/8",
        });
        using var request = Forwarded(HttpMethod.Get, "/v2/", from: "192.0.2.10");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "registry.example.com");
        using var challenged = await auth.Anonymous().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
        Assert.Contains("realm=\"https://registry.example.com/token\"", challenged.Headers.WwwAuthenticate.Single().ToString());

        using var create = Forwarded(HttpMethod.Post, "/api/v1/orgs", from: "192.0.2.44");
        create.Content = JsonContent.Create(new { name = "forwarded", defaultVisibility = "private" });
        await AuthTestServer.Expect(await auth.Admin.SendAsync(create), HttpStatusCode.Created);
        var audit = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/orgs/forwarded/audit"), HttpStatusCode.OK);
        Assert.Equal("192.0.2.44", audit[0].GetProperty("clientAddress").GetString());
    }

    [Fact]
    public async Task WithNoTrustedProxyForwardedHeadersAreIgnored()
    {
        await using var auth = await AuthTestServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Registry:Auth:RateLimit:MaxFailuresPerAddress"] = "3",
        });
        await auth.CreateUserAsync("someone");
        // Each attempt claims another address, but the connection's address is what counts.
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(auth, $"guess{i}", "x", from: $"203.0.113.{40 + i}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(auth, "someone", AuthTestServer.PasswordOf("someone"), from: "198.51.100.40"));

        using var request = Forwarded(HttpMethod.Get, "/v2/", from: "192.0.2.10");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "evil.example.com");
        using var challenged = await auth.Anonymous().SendAsync(request);
        Assert.Contains($"realm=\"{auth.Server.BaseAddress}token\"", challenged.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task AProxySettingThatIsNotAnAddressStopsTheStartNamingTheVariable()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RegistryServer.StartAsync(database,
            new Dictionary<string, string?> { ["Registry:ForwardedHeaders:KnownProxies:0"] = "nginx" }));
        Assert.Contains("Registry__ForwardedHeaders__KnownProxies__0", error.Message);
    }

    private static async Task<HttpStatusCode> LoginAsync(AuthTestServer auth, string user, string password, string from)
    {
        using var client = auth.Basic(user, password);
        using var request = Forwarded(HttpMethod.Get, $"/token?service={AuthTestServer.Service}", from);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static HttpRequestMessage Forwarded(HttpMethod method, string path, string from)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Forwarded-For", from);
        return request;
    }
}

public sealed class SqliteForwardedClientTests(SqliteBehindProxyFixture fixture) : ForwardedClientTests(fixture), IClassFixture<SqliteBehindProxyFixture>;
[Trait("Category", "Integration")]
public sealed class PostgresForwardedClientTests(PostgresBehindProxyFixture fixture) : ForwardedClientTests(fixture), IClassFixture<PostgresBehindProxyFixture>;

/// <summary>Loopback is the trusted proxy; low failed-login limits and a one-second delay past the per-user one.</summary>
public abstract class BehindProxyFixture(TestDatabase database) : AuthServerFixture(database)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Registry:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        ["Registry:Auth:RateLimit:MaxFailuresPerUserAndAddress"] = "3",
        ["Registry:Auth:RateLimit:MaxFailuresPerAddress"] = "6",
        ["Registry:Auth:RateLimit:MaxFailuresPerUser"] = "8",
        ["Registry:Auth:RateLimit:UserDelay"] = "00:00:01",
    };
}

public sealed class SqliteBehindProxyFixture() : BehindProxyFixture(TestDatabase.Sqlite);
public sealed class PostgresBehindProxyFixture() : BehindProxyFixture(TestDatabase.Postgres);
