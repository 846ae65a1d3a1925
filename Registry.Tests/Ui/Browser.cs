using Microsoft.Playwright;

namespace Registry.Tests.Ui;

/// <summary>
/// Debian's chromium driven by Playwright (never a downloaded browser), with a fresh profile per session.
/// Screenshots land in <see cref="ScreenshotDirectory"/> as test artifacts.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright playwright;
    private readonly IBrowserContext context;
    private readonly string profile;

    private Browser(IPlaywright playwright, IBrowserContext context, string profile, IPage page)
    {
        this.playwright = playwright;
        this.context = context;
        this.profile = profile;
        Page = page;
    }

    public IPage Page { get; }

    public IAPIRequestContext Requests => context.APIRequest;

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "ui-screenshots");

    public static async Task<Browser> LaunchAsync(Uri baseAddress)
    {
        Assert.True(File.Exists(ChromiumPath), "chromium is not installed: run scripts/install-deps.sh");
        var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("ui-chromium-").FullName;
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
            Timeout = 60_000,
        });
        context.SetDefaultTimeout(30_000);
        var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        return new Browser(playwright, context, profile, page);
    }

    public async Task SignInAsync(string user, string password)
    {
        await Page.GotoAsync("/signin");
        await Page.GetByLabel("User name").FillAsync(user);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.GetByText($"Signed in as {user}").WaitForAsync();
    }

    /// <summary>Saves a full-page screenshot as a test artifact and returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await context.CloseAsync();
        playwright.Dispose();
        try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
    }
}
