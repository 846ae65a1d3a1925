using Microsoft.AspNetCore.Authentication.Cookies;
using Registry.Api.Ui.Components;
using Registry.Api.Ui.Data;

namespace Registry.Api.Ui;

/// <summary>
/// The web UI at <c>/</c>: Razor Components rendered on the server (static SSR, no interactive circuits), a cookie
/// session for signed-in users and antiforgery on every form. The cookie is its own scheme, never the default, so
/// /v2, /token and /api/v1 keep reading only the Authorization header.
/// </summary>
public static class UiSetup
{
    public const string CookieScheme = "RegistryUi";

    public static void AddRegistryUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        // Outside a published build the framework's assets (the enhanced-navigation script) are found through the
        // build's runtime manifest; a published build carries them in wwwroot.
        var runtimeAssets = Path.Combine(AppContext.BaseDirectory, "Registry.Api.staticwebassets.runtime.json");
        if (File.Exists(runtimeAssets))
        {
            builder.Configuration[WebHostDefaults.StaticWebAssetsKey] = runtimeAssets;
            builder.WebHost.UseStaticWebAssets();
        }
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "registry.csrf";
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddAuthentication().AddCookie(CookieScheme, options =>
        {
            options.Cookie.Name = "registry.session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            // Secure whenever the registry is reached over HTTPS (behind TLS or a proxy that forwards the scheme);
            // plain loopback HTTP keeps working for development and tests.
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.LoginPath = "/signin";
            options.AccessDeniedPath = "/signin";
        });
        builder.Services.AddScoped<UiQueries>();
        builder.Services.AddScoped<OrganizationSettingsQueries>();
        builder.Services.AddScoped<OrganizationQueries>();
        builder.Services.AddScoped<RegistryDeletion>();
        builder.Services.AddScoped<UiViewerAccessor>();
    }

    public static void MapRegistryUi(this WebApplication app)
    {
        app.UseAntiforgery();
        // The enhanced-navigation script is a framework static asset; pages work without it when it is absent.
        var assets = Path.Combine(AppContext.BaseDirectory, "Registry.Api.staticwebassets.endpoints.json");
        if (File.Exists(assets)) app.MapStaticAssets(assets);
        app.MapRazorComponents<App>();
    }
}
