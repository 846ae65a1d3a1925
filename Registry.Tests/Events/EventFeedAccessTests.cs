using System.Net;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Events;

/// <summary>The feed shows each caller only what it may pull; actors are named in the events.</summary>
public sealed class EventFeedAccessTests
{
    [Fact]
    public async Task TheFeedHidesPrivateRepositoriesFromCallersWithoutPull()
    {
        await using var auth = await AuthTestServer.StartAsync(TestDatabase.Sqlite);
        await auth.CreateOrganizationAsync("acme");
        await auth.SetVisibilityAsync("acme/open", "public");
        await auth.Admin.PushImageAsync("acme/secret", "v1", OciTestClient.RandomBytes(10));
        await auth.Admin.PushImageAsync("acme/open", "v1", OciTestClient.RandomBytes(10));
        var (login, secret) = await auth.CreateRobotAsync("acme", "reader", "secret", "pull");
        await auth.CreateUserAsync("outsider");

        using var anonymous = auth.Anonymous();
        Assert.All(await anonymous.AllEventsAsync(), e => Assert.Equal("acme/open", e.Subject()));
        Assert.NotEmpty(await anonymous.AllEventsAsync());
        using var outsider = auth.Basic("outsider", AuthTestServer.PasswordOf("outsider"));
        Assert.Equal(["acme/open", "acme/open"], (await outsider.AllEventsAsync()).Select(e => e.Subject()));

        using var robot = auth.Basic(login, secret);
        var seen = await robot.AllEventsAsync();
        Assert.Equal(["acme/secret", "acme/secret", "acme/open", "acme/open"], seen.Select(e => e.Subject()));
        var pushed = seen.First(e => e.Type() == "io.registry.manifest.pushed");
        Assert.Equal(AuthTestServer.AdminUser, pushed.GetProperty("data").GetProperty("actor").GetProperty("name").GetString());
        Assert.Equal("user", pushed.GetProperty("data").GetProperty("actor").GetProperty("kind").GetString());

        using var wrong = auth.Basic("outsider", "not-the-password");
        using var refused = await wrong.GetAsync("/api/v1/events");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
