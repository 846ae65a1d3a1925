using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Registry.Tests.Auth.Http;
using Registry.Tests.Events;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Ui;

/// <summary>
/// The organization page in Debian's chromium: a maintainer creates a webhook and reads its delivery log, adds and
/// removes immutability and retention rules, deletes with a confirmation step; every change is what /api/v1 then shows.
/// </summary>
[Trait("Category", "Integration")]
public sealed class UiOrganizationSettingsTests(UiRegistryFixture registry) : IClassFixture<UiRegistryFixture>
{
    [Fact]
    public async Task MaintainerCreatesAWebhookSeesItsDeliveriesAndDeletesItAfterConfirming()
    {
        await using var receiver = await new WebhookReceiver().StartAsync();
        await using var browser = await Browser.LaunchAsync(registry.Auth.Server.BaseAddress);
        await browser.SignInAsync("dev", AuthTestServer.PasswordOf("dev"));
        var page = browser.Page;
        await page.GotoAsync("/orgs/acme");
        await page.GetByLabel("Payload URL").FillAsync(receiver.Url);
        await page.GetByLabel("Secret (signs").FillAsync("ui-hook-secret");
        await page.GetByLabel("Events (comma-separated").FillAsync("manifest.pushed");
        await page.GetByLabel("Repositories (pattern inside acme, e.g.").FillAsync("app");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        await page.GetByRole(AriaRole.Table, new() { Name = "Webhooks" }).GetByText(receiver.Url).WaitForAsync();

        await registry.Auth.Admin.PushImageAsync("acme/app", "hooked", OciTestClient.RandomBytes(32));
        var delivery = (await receiver.WaitForAsync(1, TimeSpan.FromSeconds(60)))[0];
        Assert.Equal("hooked", delivery.Json.GetProperty("data").GetProperty("tag").GetString());
        Assert.True(delivery.SignedWith("ui-hook-secret"));

        // The receiver has the event a moment before the registry records the answer: reload until the page shows it.
        var answered = page.GetByRole(AriaRole.Table, new() { Name = "Webhooks" }).GetByRole(AriaRole.Link, new() { NameRegex = new("last .*: 200") });
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(250))
        {
            await page.GotoAsync("/orgs/acme");
            if (await answered.CountAsync() == 1 || DateTime.UtcNow > deadline) break;
        }
        await answered.ClickAsync();
        var log = page.GetByRole(AriaRole.Table, new() { Name = "Deliveries" });
        await log.WaitForAsync();
        var row = await log.Locator("tbody tr").First.InnerTextAsync();
        Assert.Contains(delivery.Json.GetProperty("id").GetString()!, row);
        Assert.Contains("delivered", row);
        Assert.Contains("HTTP 200", row);
        await browser.ScreenshotAsync("webhook-deliveries");

        await page.GotoAsync("/orgs/acme");
        var id = (await WebhooksAsync()).Single(w => w.GetProperty("url").GetString() == receiver.Url).GetProperty("id").GetInt64();
        await page.GetByRole(AriaRole.Link, new() { Name = $"Delete webhook {id}" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).WaitForAsync();
        Assert.Contains(await WebhooksAsync(), w => w.GetProperty("id").GetInt64() == id); // the link alone deletes nothing
        await page.GetByRole(AriaRole.Button, new() { Name = $"Yes, delete webhook {id}" }).ClickAsync();
        await page.GetByText($"Webhook {id} deleted.").WaitForAsync();
        Assert.DoesNotContain(await WebhooksAsync(), w => w.GetProperty("id").GetInt64() == id);
    }

    [Fact]
    public async Task MaintainerManagesImmutabilityAndRetentionRulesAndSeesUsage()
    {
        await using var browser = await Browser.LaunchAsync(registry.Auth.Server.BaseAddress);
        await browser.SignInAsync("dev", AuthTestServer.PasswordOf("dev"));
        var page = browser.Page;
        await page.GotoAsync("/orgs/acme");
        Assert.Contains("stored", await page.GetByRole(AriaRole.Heading, new() { Name = "Storage" }).Locator("xpath=following-sibling::p[1]").InnerTextAsync());

        await page.GetByLabel("Repositories (pattern inside acme)").First.FillAsync("app");
        await page.GetByLabel("Tags (pattern, e.g.").FillAsync("release-*");
        await page.GetByRole(AriaRole.Button, new() { Name = "Make tags immutable" }).ClickAsync();
        await page.GetByText("Tags release-* of app are now immutable.").WaitForAsync();
        var rule = (await ApiAsync("/api/v1/orgs/acme/tag-rules")).EnumerateArray().Single(r => r.GetProperty("tags").GetString() == "release-*");

        await page.GetByLabel("Repositories (pattern inside acme)").Nth(1).FillAsync("app");
        await page.GetByLabel("Tags (pattern; empty for all)").FillAsync("pr-*");
        await page.GetByLabel("Keep the last N tags").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add retention rule" }).ClickAsync();
        await page.GetByRole(AriaRole.Table, new() { Name = "Retention rules" }).GetByText("the last 3 tags").WaitForAsync();
        var retention = (await ApiAsync("/api/v1/orgs/acme/retention")).EnumerateArray().ToList();
        Assert.Contains(retention, r => r.GetProperty("tags").GetString() == "pr-*" && r.GetProperty("keepLast").GetInt32() == 3);
        await browser.ScreenshotAsync("organization-policies");

        // A rule the API refuses is refused with the API's words, and nothing is stored.
        await page.GetByLabel("Repositories (pattern inside acme)").Nth(1).FillAsync("app");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add retention rule" }).ClickAsync();
        await page.GetByRole(AriaRole.Alert).WaitForAsync();
        Assert.Equal(retention.Count, (await ApiAsync("/api/v1/orgs/acme/retention")).GetArrayLength());

        var position = retention.Single(r => r.GetProperty("tags").GetString() == "pr-*").GetProperty("rule").GetInt32();
        await page.GetByRole(AriaRole.Link, new() { Name = $"Remove retention rule {position}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Yes, remove retention rule {position}" }).ClickAsync();
        await page.GetByText($"Retention rule {position} removed.").WaitForAsync();
        Assert.DoesNotContain((await ApiAsync("/api/v1/orgs/acme/retention")).EnumerateArray(), r => r.GetProperty("tags").GetString() == "pr-*");

        var id = rule.GetProperty("id").GetInt64();
        await page.GetByRole(AriaRole.Link, new() { Name = $"Delete immutability rule {id}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Yes, delete immutability rule {id}" }).ClickAsync();
        await page.GetByText($"Immutability rule {id} deleted.").WaitForAsync();
        Assert.DoesNotContain((await ApiAsync("/api/v1/orgs/acme/tag-rules")).EnumerateArray(), r => r.GetProperty("id").GetInt64() == id);
    }

    [Fact]
    public async Task ReaderSeesPoliciesButNoWebhooksAndNoForms()
    {
        // A webhook that exists, so the reader's 404 on its log is the access check, not a missing row.
        var created = await AuthTestServer.Expect(await registry.Auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/webhooks",
            new { url = "http://127.0.0.1:9/hook", secret = "reader-test" }), System.Net.HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        await using var browser = await Browser.LaunchAsync(registry.Auth.Server.BaseAddress);
        await browser.SignInAsync("viewer", AuthTestServer.PasswordOf("viewer"));
        await browser.Page.GotoAsync("/orgs/acme");
        await browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Policies" }).WaitForAsync();
        Assert.Equal(0, await browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Webhooks" }).CountAsync());
        Assert.Equal(0, await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Make tags immutable" }).CountAsync());
        Assert.Equal(404, (await browser.Page.GotoAsync($"/orgs/acme/webhooks/{id}"))!.Status);
        await registry.Auth.Admin.DeleteAsync($"/api/v1/orgs/acme/webhooks/{id}");
    }

    private async Task<JsonElement> ApiAsync(string path) => await registry.Auth.Admin.GetFromJsonAsync<JsonElement>(path);

    private async Task<IReadOnlyList<JsonElement>> WebhooksAsync() => [.. (await ApiAsync("/api/v1/orgs/acme/webhooks")).EnumerateArray()];
}
