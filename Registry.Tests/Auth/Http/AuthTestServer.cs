using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// The real registry with auth on (bootstrap admin, keys generated into its data directory), plus helpers that
/// set up users, organizations and teams through the real management API and fetch real tokens from /token.
/// </summary>
public sealed class AuthTestServer : IAsyncDisposable
{
    public const string AdminUser = "admin", AdminPassword = "admin-password-1", Service = "registry.test";

    private AuthTestServer(RegistryServer server, string signingKeyPath) => (Server, SigningKeyPath) = (server, signingKeyPath);

    public RegistryServer Server { get; }

    /// <summary>The token signing key file (created by the server on first start unless the test wrote it).</summary>
    public string SigningKeyPath { get; }

    /// <summary>A client with the administrator's Basic credentials.</summary>
    public HttpClient Admin { get; private set; } = null!;

    public static async Task<AuthTestServer> StartAsync(TestDatabase database, IDictionary<string, string?>? extra = null,
        Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Registry:Auth:Enabled"] = "true",
            ["Registry:Auth:BootstrapAdmin:User"] = AdminUser,
            ["Registry:Auth:BootstrapAdmin:Password"] = AdminPassword,
            ["Registry:Auth:Service"] = Service,
            // Required with PostgreSQL (replicas share it); a file of this server's own unless a test shares one.
            ["Registry:Auth:SigningKeyPath"] = Path.Combine(Path.GetTempPath(), $"registry-test-keys-{Guid.NewGuid():N}", "token-signing-key.pem"),
            // Generous limits: only the rate-limit tests lower them.
            ["Registry:Auth:RateLimit:MaxFailuresPerUser"] = "1000",
            ["Registry:Auth:RateLimit:MaxFailuresPerUserAndAddress"] = "1000",
            ["Registry:Auth:RateLimit:MaxFailuresPerAddress"] = "1000",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        var server = new AuthTestServer(await RegistryServer.StartAsync(database, settings, configure), settings["Registry:Auth:SigningKeyPath"]!);
        server.Admin = server.Basic(AdminUser, AdminPassword);
        return server;
    }

    public static string PasswordOf(string user) => $"pw-{user}-secret";

    public HttpClient Anonymous() => new() { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    public HttpClient Basic(string user, string password)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    public HttpClient Bearer(string token)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>GET /token with Basic credentials (or none) for the scopes; the token, asserting 200.</summary>
    public async Task<string> TokenAsync(string? user, string? password, params string[] scopes)
    {
        using var client = user is null ? Anonymous() : Basic(user, password!);
        var query = string.Join("", scopes.Select(s => "&scope=" + Uri.EscapeDataString(s)));
        using var response = await client.GetAsync($"/token?service={Service}{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/token answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>The <c>access</c> claim of a token as <c>type:name:actions</c> strings.</summary>
    public static IReadOnlyList<string> AccessOf(string token)
    {
        var payload = token.Split('.')[1];
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(payload.Replace('-', '+').Replace('_', '/').PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=')));
        return JsonDocument.Parse(json).RootElement.GetProperty("access").EnumerateArray()
            .Select(a => $"{a.GetProperty("type").GetString()}:{a.GetProperty("name").GetString()}:{string.Join(',', a.GetProperty("actions").EnumerateArray().Select(x => x.GetString()))}")
            .ToList();
    }

    public async Task CreateUserAsync(string name, bool isAdmin = false) =>
        await Expect(await Admin.PostAsJsonAsync("/api/v1/users", new { name, password = PasswordOf(name), isAdmin }), HttpStatusCode.Created);

    public async Task CreateOrganizationAsync(string name, string defaultVisibility = "private") =>
        await Expect(await Admin.PostAsJsonAsync("/api/v1/orgs", new { name, defaultVisibility }), HttpStatusCode.Created);

    public async Task SetMemberAsync(string org, string user, string role) =>
        await Expect(await Admin.PutAsJsonAsync($"/api/v1/orgs/{org}/members/{user}", new { role }), HttpStatusCode.OK);

    public async Task CreateTeamAsync(string org, string team, string pattern, string[] actions, params string[] members)
    {
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/orgs/{org}/teams", new { name = team }), HttpStatusCode.Created);
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/orgs/{org}/teams/{team}/grants", new { pattern, actions }), HttpStatusCode.Created);
        foreach (var member in members)
            await Expect(await Admin.PutAsync($"/api/v1/orgs/{org}/teams/{team}/members/{member}", null), HttpStatusCode.NoContent);
    }

    /// <summary>Creates a robot and returns its login and its secret (shown only in this answer).</summary>
    public async Task<(string Login, string Secret)> CreateRobotAsync(string org, string name, string pattern, params string[] actions)
    {
        using var response = await Admin.PostAsJsonAsync($"/api/v1/orgs/{org}/robots", new { name, grants = new[] { new { pattern, actions } } });
        var body = await Expect(response, HttpStatusCode.Created);
        return (body.GetProperty("login").GetString()!, body.GetProperty("secret").GetString()!);
    }

    public async Task SetVisibilityAsync(string repository, string visibility) =>
        await Expect(await Admin.PatchAsJsonAsync($"/api/v1/repositories/{repository}", new { visibility }), HttpStatusCode.OK);

    /// <summary>Asserts the status and returns the JSON body (or an empty object).</summary>
    public static async Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)status}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
        var keyDirectory = Path.GetDirectoryName(SigningKeyPath)!;
        if (Path.GetFileName(keyDirectory).StartsWith("registry-test-keys-", StringComparison.Ordinal))
            try { Directory.Delete(keyDirectory, recursive: true); } catch (IOException) { }
    }
}
