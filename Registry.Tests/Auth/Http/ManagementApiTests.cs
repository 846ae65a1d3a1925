using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// The /api/v1 management API: robots, audit, repositories, bad input, Swagger, and no secret in any log. The tests
/// share one registry (<see cref="AuthServerFixture"/>), each with organizations and users of its own.
/// </summary>
public abstract class ManagementApiTests(AuthServerFixture fixture)
{
    private readonly AuthTestServer auth = fixture.Auth;

    [Fact]
    public async Task RobotSecretIsShownOnceAndRobotsCannotAdminister()
    {
        await auth.CreateOrganizationAsync("acme");
        var (login, secret) = await auth.CreateRobotAsync("acme", "ci", "app-*", "pull", "push");
        Assert.Equal("acme+ci", login);
        Assert.StartsWith("rrb_", secret);
        var listed = await auth.Admin.GetStringAsync("/api/v1/orgs/acme/robots");
        Assert.Contains("\"acme+ci\"", listed);
        Assert.DoesNotContain(secret, listed);
        using var robot = auth.Basic(login, secret);
        Assert.Equal(HttpStatusCode.Forbidden, (await robot.GetAsync("/api/v1/orgs")).StatusCode);
        // The robot pushes within its pattern, and nowhere else.
        await robot.PushImageAsync("acme/app-ci", "1", Encoding.UTF8.GetBytes("ci layer"));
        Assert.Equal(HttpStatusCode.Forbidden, (await robot.PostAsync("/v2/acme/base/blobs/uploads/", null)).StatusCode);
    }

    [Fact]
    public async Task EveryWriteIsAuditedAndOnlyOwnersReadTheirOrganizationsLog()
    {
        await auth.CreateUserAsync("audit-boss");
        await auth.CreateUserAsync("audit-dev");
        using var boss = auth.Basic("audit-boss", AuthTestServer.PasswordOf("audit-boss"));
        await AuthTestServer.Expect(await boss.PostAsJsonAsync("/api/v1/orgs", new { name = "audited", defaultVisibility = "internal" }), HttpStatusCode.Created);
        await AuthTestServer.Expect(await boss.PutAsJsonAsync("/api/v1/orgs/audited/members/audit-dev", new { role = "developer" }), HttpStatusCode.OK);
        await AuthTestServer.Expect(await boss.PostAsJsonAsync("/api/v1/orgs/audited/teams", new { name = "web" }), HttpStatusCode.Created);

        var entries = await AuthTestServer.Expect(await boss.GetAsync("/api/v1/orgs/audited/audit"), HttpStatusCode.OK);
        var actions = entries.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["team.create", "org.member.set", "org.create"], actions);
        var newest = entries[0];
        Assert.Equal("audit-boss", newest.GetProperty("actor").GetString());
        Assert.Equal("127.0.0.1", newest.GetProperty("clientAddress").GetString());
        Assert.True(newest.GetProperty("at").GetDateTime() > DateTime.UtcNow.AddMinutes(-5));

        using var dev = auth.Basic("audit-dev", AuthTestServer.PasswordOf("audit-dev"));
        Assert.Equal(HttpStatusCode.Forbidden, (await dev.GetAsync("/api/v1/orgs/audited/audit")).StatusCode);
        await auth.CreateUserAsync("audit-stranger");
        using var stranger = auth.Basic("audit-stranger", AuthTestServer.PasswordOf("audit-stranger"));
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/api/v1/orgs/audited/audit")).StatusCode);
    }

    [Fact]
    public async Task BadInputIsRefusedClearlyAndLeavesNothingBehind()
    {
        await auth.CreateOrganizationAsync("strict");
        var invalid = await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs", new { name = "Bad Name" }), HttpStatusCode.BadRequest);
        Assert.Equal("INVALID", invalid.GetProperty("code").GetString());
        Assert.Equal(400, invalid.GetProperty("status").GetInt32());
        Assert.Contains("Bad Name", invalid.GetProperty("detail").GetString());
        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs", new { name = "strict" }), HttpStatusCode.Conflict);
        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs", new { name = AuthTestServer.AdminUser }), HttpStatusCode.Conflict);
        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/strict/robots",
            new { name = "ci", grants = new[] { new { pattern = "app-*", actions = new[] { "pull" } }, new { pattern = "Bad[", actions = new[] { "pull" } } } }),
            HttpStatusCode.BadRequest);
        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/strict/robots",
            new { name = "ci", grants = new[] { new { pattern = "app-*", actions = new[] { "fly" } } } }), HttpStatusCode.BadRequest);
        Assert.Equal("[]", await auth.Admin.GetStringAsync("/api/v1/orgs/strict/robots"));
        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/users", new { name = "shortpw", password = "short" }), HttpStatusCode.BadRequest);
        // The organization's only owner (its creator, the admin) cannot be removed.
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync($"/api/v1/orgs/strict/members/{AuthTestServer.AdminUser}"), HttpStatusCode.Conflict);
        var audit = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/orgs/strict/audit"), HttpStatusCode.OK);
        Assert.Equal(["org.create"], audit.EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task DeletedRepositoryDisappearsFromRegistryAndCatalog()
    {
        await auth.CreateOrganizationAsync("cleanup");
        await auth.Admin.PushImageAsync("cleanup/old", "1", Encoding.UTF8.GetBytes("old layer"));
        var listed = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/repositories?namespace=cleanup"), HttpStatusCode.OK);
        Assert.Equal("private", listed[0].GetProperty("visibility").GetString());
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync("/api/v1/repositories/cleanup/old"), HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, (await auth.Admin.GetAsync("/v2/cleanup/old/manifests/1")).StatusCode);
        var catalog = await auth.Admin.GetFromJsonAsync<JsonElement>("/v2/_catalog");
        Assert.DoesNotContain("cleanup/old", catalog.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()));
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync("/api/v1/repositories/cleanup/old"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SwaggerDocumentsTheManagementApiWithTheBearerScheme()
    {
        using var client = auth.Anonymous();
        var document = await client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/orgs/{org}/robots", out _));
        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/index.html")).StatusCode);
        // Every operation declares its success and its problem responses.
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
        {
            var responses = operation.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.True(responses.Any(r => r.StartsWith('2')), $"{operation.Name} {path.Name} declares no success");
            Assert.True(responses.Contains("400") && responses.Contains("401"), $"{operation.Name} {path.Name} declares {string.Join(",", responses)}");
        }
    }

    [Fact]
    public async Task NoSecretEverReachesTheLogs()
    {
        // A server of its own: it logs everything, to a capturing provider.
        var logs = new CapturingLoggerProvider();
        await using var auth = await AuthTestServer.StartAsync(fixture.Database, new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Trace",
            },
            builder => builder.Logging.AddProvider(logs));
        await auth.CreateOrganizationAsync("acme");
        await auth.CreateUserAsync("dev");
        var (login, secret) = await auth.CreateRobotAsync("acme", "ci", "*", "pull");
        var token = await auth.TokenAsync(login, secret, "repository:acme/x:pull");
        using var dev = auth.Basic("dev", AuthTestServer.PasswordOf("dev"));
        var pat = (await AuthTestServer.Expect(await dev.PostAsJsonAsync("/api/v1/user/tokens", new { name = "t" }), HttpStatusCode.Created)).GetProperty("token").GetString()!;
        await auth.Basic("dev", "a-wrong-password-guess").GetAsync("/v2/");
        await auth.Bearer(token).GetAsync("/v2/acme/x/tags/list");

        var all = string.Join('\n', logs.Lines);
        Assert.NotEmpty(logs.Lines);
        foreach (var leaked in new[] { secret, pat, token, AuthTestServer.AdminPassword, AuthTestServer.PasswordOf("dev"), "a-wrong-password-guess" })
            Assert.DoesNotContain(leaked, all);
    }
}

public sealed class SqliteManagementApiTests(SqliteAuthServerFixture fixture) : ManagementApiTests(fixture), IClassFixture<SqliteAuthServerFixture>;
[Trait("Category", "Integration")]
public sealed class PostgresManagementApiTests(PostgresAuthServerFixture fixture) : ManagementApiTests(fixture), IClassFixture<PostgresAuthServerFixture>;

public class AuthDisabledByDefaultTests
{
    [Fact]
    public async Task WithoutConfigurationTheRegistryIsOpenAndHasNoAuthEndpoints()
    {
        await using var server = await RegistryServer.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/token")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/v1/orgs")).StatusCode);
    }

    [Fact]
    public async Task SwaggerIsServedWheneverApiV1IsAndDescribesTheEventsFeed()
    {
        await using var server = await RegistryServer.StartAsync();
        var document = await server.Client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/events", out var events));
        Assert.True(events.GetProperty("get").GetProperty("responses").TryGetProperty("200", out _));
        Assert.False(paths.TryGetProperty("/api/v1/orgs", out _));
    }
}
