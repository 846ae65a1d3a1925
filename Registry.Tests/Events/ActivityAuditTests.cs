using System.Net;
using System.Text.Json;
using Registry.Oci;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Events;

/// <summary>The audit log shows pushes, deletes and pulls (counted per hour) with actor and client address.</summary>
public sealed class ActivityAuditTests
{
    [Fact]
    public async Task PushesDeletesAndAggregatedPullsAppearWithActorAndAddress()
    {
        await using var auth = await AuthTestServer.StartAsync(TestDatabase.Sqlite, new Dictionary<string, string?>
        {
            ["Registry:Events:PullFlushInterval"] = "00:00:00.200",
        });
        await auth.CreateOrganizationAsync("acme");
        var (_, digest) = await auth.Admin.PushImageAsync("acme/app", "v1", OciTestClient.RandomBytes(30));
        var (login, secret) = await auth.CreateRobotAsync("acme", "puller", "app", "pull");
        using var robot = auth.Basic(login, secret);
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/acme/app/manifests/v1");
            request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
            using var pulled = await robot.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        }
        using (var head = await robot.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/acme/app/manifests/v1")))
            Assert.Equal(HttpStatusCode.OK, head.StatusCode); // a HEAD is not a pull
        using (var deleted = await auth.Admin.DeleteAsync("/v2/acme/app/manifests/v1")) Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);

        // Pull counts are flushed every 200 ms into one row per hour: a flush can land between the pulls, so wait for the total.
        var entries = await WaitForAsync(auth, "/api/v1/audit", e => e.Action == "pulled" && e.Detail?.StartsWith("count=3 ") == true);
        var pull = Assert.Single(entries, e => e.Action == "pulled");
        Assert.Equal(login, pull.Actor);
        Assert.Equal("127.0.0.1", pull.ClientAddress);
        Assert.Equal($"acme/app@{digest}", pull.Target);
        Assert.StartsWith("count=3 ", pull.Detail);
        var push = Assert.Single(entries, e => e.Action == "manifest.pushed");
        Assert.Equal((AuthTestServer.AdminUser, "127.0.0.1", "acme/app:v1"), (push.Actor, push.ClientAddress, push.Target));
        Assert.Contains(entries, e => e.Action == "tag.deleted" && e.Target == "acme/app:v1");
        Assert.Contains(entries, e => e.Action == "robot.create"); // management writes stay
        var organization = await WaitForAsync(auth, "/api/v1/orgs/acme/audit", e => e.Action == "pulled");
        Assert.Contains(organization, e => e.Action == "manifest.pushed");

        // The feed hears of the pull once per actor, digest and hour, not three times.
        var pulledEvent = Assert.Single(await auth.Admin.AllEventsAsync("types=pulled"));
        Assert.Equal(login, pulledEvent.GetProperty("data").GetProperty("actor").GetProperty("name").GetString());
        Assert.Equal("robot", pulledEvent.GetProperty("data").GetProperty("actor").GetProperty("kind").GetString());
    }

    private sealed record Entry(string Action, string Actor, string? ClientAddress, string Target, string? Detail);

    private static async Task<List<Entry>> WaitForAsync(AuthTestServer auth, string path, Func<Entry, bool> until)
    {
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20); ; await Task.Delay(200))
        {
            var body = await AuthTestServer.Expect(await auth.Admin.GetAsync(path), HttpStatusCode.OK);
            var entries = body.EnumerateArray().Select(e => new Entry(e.GetProperty("action").GetString()!, e.GetProperty("actor").GetString()!,
                Text(e, "clientAddress"), e.GetProperty("target").GetString()!, Text(e, "detail"))).ToList();
            if (entries.Any(until) || DateTime.UtcNow > deadline) return entries;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
