using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Registry.Tests.Auth.Http;

namespace Registry.Tests.Ui;

/// <summary>The web UI in Debian's chromium against a real registry with auth on (see <see cref="UiRegistryFixture"/>).</summary>
[Trait("Category", "Integration")]
public sealed class UiBrowserTests(UiRegistryFixture registry) : IClassFixture<UiRegistryFixture>
{
    [Fact]
    public async Task SignedInUserBrowsesToTheManifestSkopeoPushedWithConfigLayersAndSignature()
    {
        await using var browser = await Browser.LaunchAsync(registry.Auth.Server.BaseAddress);
        await browser.SignInAsync("dev", AuthTestServer.PasswordOf("dev"));
        var page = browser.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "acme/app", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "acme/app" }).WaitForAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "1.0", Exact = true }).ClickAsync();

        await page.GetByRole(AriaRole.Heading, new() { Name = "Layers" }).WaitForAsync();
        Assert.Contains(registry.ImageDigest, await page.Locator("h1").InnerTextAsync());
        Assert.Equal(2, await page.GetByRole(AriaRole.Table, new() { Name = "Layers" }).Locator("tbody tr").CountAsync());
        Assert.Contains("GREETING=hello-ui", await page.GetByLabel("Environment").InnerTextAsync());
        Assert.Contains("[\"/bin/sh\",\"-c\"]", await page.GetByRole(AriaRole.Table, new() { Name = "Runtime configuration" }).InnerTextAsync());
        Assert.Contains("ui-demo", await page.GetByRole(AriaRole.Table, new() { Name = "Labels" }).InnerTextAsync());
        var referrers = page.GetByRole(AriaRole.List, new() { Name = $"Referrers of type {UiRegistryFixture.SignatureType}" });
        Assert.Contains(registry.SignatureDigest[..19], await referrers.InnerTextAsync());
        Assert.Equal($"podman pull --tls-verify=false {registry.Host}/acme/app@{registry.ImageDigest}", await page.GetByLabel("podman", new() { Exact = true }).InputValueAsync());
        await browser.ScreenshotAsync("manifest");

        // The signature's own page names what it signs.
        await referrers.GetByRole(AriaRole.Link).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains(registry.SignatureDigest.Split(':')[1], StringComparison.Ordinal));
        // Enhanced navigation changes the URL before it swaps the content: wait for the signature's own heading (CI on
        // 90d8d6d read the image page's Manifest table in between).
        await page.Locator("h1", new() { HasText = registry.SignatureDigest }).WaitForAsync();
        Assert.Contains(registry.ImageDigest, await page.GetByRole(AriaRole.Table, new() { Name = "Manifest" }).InnerTextAsync());
    }

    [Fact]
    public async Task DeletingATagInTheBrowserRemovesItFromV2AndKeepsTheOthers()
    {
        await using var browser = await Browser.LaunchAsync(registry.Auth.Server.BaseAddress);
        await browser.SignInAsync("dev", AuthTestServer.PasswordOf("dev"));
        var page = browser.Page;
        await page.GotoAsync("/repositories/acme/app");
        await browser.ScreenshotAsync("tags");

        // A link first, then a confirmation: one click never deletes.
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete tag old" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByText("Pulls of acme/app:old will fail").WaitForAsync();
        Assert.Contains("old", await registry.TagsAsync("acme/app"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete tag old" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Tag old deleted." }).WaitForAsync();
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "old", Exact = true }).CountAsync());
        Assert.DoesNotContain("old", await registry.TagsAsync("acme/app"));
        Assert.Contains("1.0", await registry.TagsAsync("acme/app"));
    }

    [Fact]
    public async Task ReaderSeesNoDeleteButtonAndAForgedDeleteChangesNothing()
    {
        await using var browser = await Browser.LaunchAsync(registry.Auth.Server.BaseAddress);
        await browser.SignInAsync("viewer", AuthTestServer.PasswordOf("viewer"));
        await browser.Page.GotoAsync("/repositories/acme/app");
        await browser.Page.GetByRole(AriaRole.Table, new() { Name = "Tags" }).WaitForAsync();
        Assert.Equal(0, await browser.Page.GetByRole(AriaRole.Link, new() { Name = "Delete tag 1.0" }).CountAsync());

        // A hand-made POST with a valid antiforgery token still meets the access check.
        var token = await browser.Page.Locator("input[name=__RequestVerificationToken]").First.InputValueAsync();
        var response = await browser.Requests.PostAsync("/repositories/acme/app?confirm-delete=1.0", new() { Form = Form(browser, ("_handler", "delete-tag"), ("tag", "1.0"), ("__RequestVerificationToken", token)) });
        Assert.Contains("You may not delete tags here.", await response.TextAsync());
        Assert.Contains("1.0", await registry.TagsAsync("acme/app"));
    }

    [Fact]
    public async Task FormsWithoutTheAntiforgeryTokenAreRefused()
    {
        await using var browser = await Browser.LaunchAsync(registry.Auth.Server.BaseAddress);
        await browser.SignInAsync("dev", AuthTestServer.PasswordOf("dev"));

        var deleteTag = await browser.Requests.PostAsync("/repositories/acme/app?confirm-delete=1.0", new() { Form = Form(browser, ("_handler", "delete-tag"), ("tag", "1.0")) });
        Assert.Equal(400, deleteTag.Status);
        var robot = await browser.Requests.PostAsync("/orgs/acme", new() { Form = Form(browser, ("_handler", "create-robot"), ("Robot.Name", "forged"), ("Robot.Pattern", "app"), ("Robot.Pull", "true")) });
        Assert.Equal(400, robot.Status);
        var signIn = await browser.Requests.PostAsync("/signin", new() { Form = Form(browser, ("_handler", "signin"), ("Form.User", "dev"), ("Form.Password", AuthTestServer.PasswordOf("dev"))) });
        Assert.Equal(400, signIn.Status);

        Assert.Contains("1.0", await registry.TagsAsync("acme/app"));
        var robots = await registry.Auth.Admin.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/robots");
        Assert.DoesNotContain(robots.EnumerateArray(), r => r.GetProperty("name").GetString() == "forged");
    }

    [Fact]
    public async Task CreatingARobotShowsItsSecretOnceAndTheSecretPulls()
    {
        await using var browser = await Browser.LaunchAsync(registry.Auth.Server.BaseAddress);
        await browser.SignInAsync("dev", AuthTestServer.PasswordOf("dev"));
        var page = browser.Page;
        await page.GotoAsync("/orgs/acme");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("ci");
        await page.GetByLabel("Repository pattern").FillAsync("app");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create robot" }).ClickAsync();

        var secret = await page.GetByLabel("Secret", new() { Exact = true }).InputValueAsync();
        Assert.StartsWith("rrb_", secret);
        Assert.Contains("acme+ci", await page.GetByRole(AriaRole.Table, new() { Name = "Robots" }).InnerTextAsync());
        await browser.ScreenshotAsync("organization");

        using var robot = registry.Auth.Basic("acme+ci", secret);
        Assert.Equal(HttpStatusCode.OK, (await robot.GetAsync("/v2/acme/app/manifests/1.0")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await robot.GetAsync("/v2/acme/secret/manifests/1")).StatusCode);

        await page.GotoAsync("/orgs/acme");
        Assert.Equal(0, await page.GetByLabel("Secret", new() { Exact = true }).CountAsync());
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("viewer")]
    public async Task SignedInUserSeesExactlyTheRepositoriesTheCatalogShowsThem(string user)
    {
        using var client = registry.Auth.Basic(user, AuthTestServer.PasswordOf(user));
        var catalog = (await client.GetFromJsonAsync<JsonElement>("/v2/_catalog")).GetProperty("repositories")
            .EnumerateArray().Select(r => r.GetString()!).Order(StringComparer.Ordinal).ToList();

        await using var browser = await Browser.LaunchAsync(registry.Auth.Server.BaseAddress);
        await browser.SignInAsync(user, AuthTestServer.PasswordOf(user));
        var shown = (await browser.Page.GetByRole(AriaRole.Table, new() { Name = "Repositories" }).Locator("tbody tr td:first-child").AllInnerTextsAsync())
            .Order(StringComparer.Ordinal).ToList();

        Assert.Equal(catalog, shown);
        Assert.Contains("globex/pub", shown);
        Assert.DoesNotContain("globex/internal", shown);
    }

    private static IFormData Form(Browser browser, params (string Name, string Value)[] fields)
    {
        var form = browser.Requests.CreateFormData();
        foreach (var (name, value) in fields) form.Set(name, value);
        return form;
    }
}
