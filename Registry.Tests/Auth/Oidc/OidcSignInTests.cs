using System.Net;
using System.Text;
using Microsoft.Playwright;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;
using Registry.Tests.Ui;

namespace Registry.Tests.Auth.Oidc;

/// <summary>
/// Sign-in through a real OpenID provider in Debian's chromium: the code flow with PKCE through the provider's login and
/// consent pages, the account created at the first sign-in, groups mapped to teams at every sign-in (removing the group
/// at the provider removes the access at the next sign-in), the admin group, and a disabled account refused.
/// </summary>
[Trait("Category", "Integration")]
public sealed class OidcSignInTests
{
    private static async Task<(OidcProvider, AuthTestServer)> StartAsync(Dictionary<string, string[]> accounts)
    {
        var port = OidcProvider.ReservePort();
        var auth = await AuthTestServer.StartAsync(TestDatabase.Sqlite, OidcProvider.Settings(port, adminGroup: "registry-admins"));
        var provider = await OidcProvider.StartAsync(port, auth.Server.BaseAddress, accounts);
        await auth.CreateOrganizationAsync("acme");
        await auth.Admin.PushImageAsync("acme/app", "1", Encoding.UTF8.GetBytes("app layer"));
        await auth.Admin.PushImageAsync("acme/other", "1", Encoding.UTF8.GetBytes("other layer"));
        await auth.CreateTeamAsync("acme", "devs", "app", ["pull"]);
        return (provider, auth);
    }

    /// <summary>From the registry's sign-in page through the provider's login and consent pages back to the UI.</summary>
    private static async Task SignInThroughTheProviderAsync(Browser browser, string login)
    {
        await browser.Page.GotoAsync("/signin");
        await browser.Page.GetByRole(AriaRole.Link, new() { Name = "Sign in with single sign-on" }).ClickAsync();
        await browser.Page.Locator("input[name=login]").FillAsync(login);
        await browser.Page.Locator("input[name=password]").FillAsync("any-password");
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Sign-in" }).ClickAsync();
        var consent = browser.Page.GetByRole(AriaRole.Button, new() { Name = "Continue" });
        await consent.WaitForAsync();
        await consent.ClickAsync();
    }

    private static async Task<List<string>> RepositoriesShownAsync(Browser browser)
    {
        await browser.Page.GotoAsync("/");
        return (await browser.Page.GetByRole(AriaRole.Table, new() { Name = "Repositories" }).Locator("tbody tr td:first-child").AllInnerTextsAsync()).ToList();
    }

    [Fact]
    public async Task ProviderUserSignsInAndTheirGroupsDecideWhatTheySeeAtEverySignIn()
    {
        var (provider, auth) = await StartAsync(new() { ["alice"] = ["acme/devs"] });
        await using var _ = provider;
        await using var __ = auth;

        await using (var browser = await Browser.LaunchAsync(auth.Server.BaseAddress))
        {
            await SignInThroughTheProviderAsync(browser, "alice");
            await browser.Page.GetByText("Signed in as alice").WaitForAsync();
            Assert.Equal(["acme/app"], await RepositoriesShownAsync(browser));
            await browser.ScreenshotAsync("oidc-signed-in");
        }
        var users = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/users"), HttpStatusCode.OK);
        Assert.Equal("oidc", users.EnumerateArray().Single(u => u.GetProperty("name").GetString() == "alice").GetProperty("source").GetString());

        provider.SetAccounts(new Dictionary<string, string[]> { ["alice"] = [] }); // removed from the group at the provider
        await using (var browser = await Browser.LaunchAsync(auth.Server.BaseAddress))
        {
            await SignInThroughTheProviderAsync(browser, "alice");
            await browser.Page.GetByText("Signed in as alice").WaitForAsync();
            Assert.Empty(await RepositoriesShownAsync(browser));
        }
    }

    [Fact]
    public async Task AdminGroupMakesAnAdministratorAndADisabledAccountIsRefused()
    {
        var (provider, auth) = await StartAsync(new() { ["carol"] = ["registry-admins"], ["dave"] = ["acme/devs"] });
        await using var _ = provider;
        await using var __ = auth;

        await using (var browser = await Browser.LaunchAsync(auth.Server.BaseAddress))
        {
            await SignInThroughTheProviderAsync(browser, "carol");
            await browser.Page.GetByText("Signed in as carol").WaitForAsync();
            Assert.Equal(["acme/app", "acme/other"], (await RepositoriesShownAsync(browser)).Order().ToList());
        }

        await using (var browser = await Browser.LaunchAsync(auth.Server.BaseAddress))
        {
            await SignInThroughTheProviderAsync(browser, "dave");
            await browser.Page.GetByText("Signed in as dave").WaitForAsync();
        }
        await AuthTestServer.Expect(await auth.Admin.PostAsync("/api/v1/users/dave/disable", null), HttpStatusCode.OK);
        await using (var browser = await Browser.LaunchAsync(auth.Server.BaseAddress))
        {
            await SignInThroughTheProviderAsync(browser, "dave");
            await browser.Page.GetByText("Your account is disabled").WaitForAsync();
            Assert.Equal(0, await browser.Page.GetByText("Signed in as dave").CountAsync());
        }
    }
}
