using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registry.Api;
using Registry.Api.Operations;
using Registry.Api.Proxy;
using Registry.Auth;
using Registry.Storage.Configuration;
using Registry.Storage.Events;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Operations;

/// <summary>
/// Every settings class is bound once and validated at start (ValidateOnStart), before the database is touched:
/// the application is built in-process exactly as Program.cs builds it, and the line Program.cs would print is checked.
/// The same lines from the real binary: <see cref="StartupAndLogTests"/>.
/// </summary>
public sealed class SettingsValidationTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Theory]
    [InlineData("Registry:Gc:Interval", "banana", "Registry__Gc__Interval")]
    [InlineData("Registry:Gc:GracePeriod", "-01:00:00", "Registry__Gc__GracePeriod")]
    [InlineData("Registry:Database:Provider", "oracle", "Registry__Database__Provider")]
    [InlineData("Registry:Storage:Driver", "tape", "Registry__Storage__Driver")]
    [InlineData("Registry:Storage:Driver", "s3", "Registry__Storage__S3")]
    [InlineData("Registry:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/99", "Registry__ForwardedHeaders__KnownNetworks__0")]
    [InlineData("Registry:Events:PollInterval", "00:00:00", "Registry__Events__PollInterval")]
    [InlineData("Registry:Events:DeniedNetworks:0", "metadata", "Registry__Events__DeniedNetworks")]
    [InlineData("Registry:Retention:Schedule", "-1.00:00:00", "Registry__Retention__Schedule")]
    [InlineData("Registry:Replication:RequestTimeout", "00:00:00", "Registry__Replication__RequestTimeout")]
    [InlineData("Registry:Proxy:Upstreams:0:Url", "ftp://mirror", "Registry__Proxy__Upstreams__0__Url")]
    [InlineData("Registry:Auth:TokenLifetime", "00:00:00", "Registry__Auth__TokenLifetime")]
    [InlineData("Registry:Auth:Issuer", " ", "Registry__Auth__Issuer")]
    public void BadSettingStopsTheStartBeforeTheDatabaseWithOneLineNamingTheVariable(string key, string value, string variable)
    {
        var line = StartupLine(new() { ["Registry:Auth:Enabled"] = "true", [key] = value });

        Assert.StartsWith("registry: cannot start: ", line);
        Assert.Contains(variable, line);
        Assert.DoesNotContain('\n', line);
        Assert.False(File.Exists(Path.Combine(data.Path, "registry.db")), "the database was created before the settings were checked");
    }

    [Fact]
    public void EveryBadSettingIsNamedInTheOneLine()
    {
        var line = StartupLine(new()
        {
            ["Registry:Gc:UploadTtl"] = "-01:00:00",
            ["Registry:Events:MaxConcurrentDeliveries"] = "0",
            ["Registry:Retention:Schedule"] = "-00:01:00",
        });

        Assert.Contains("Registry__Gc__UploadTtl", line);
        Assert.Contains("Registry__Events__MaxConcurrentDeliveries", line);
        Assert.Contains("Registry__Retention__Schedule", line);
    }

    [Fact]
    public void PostgresWithAuthNeedsASharedSigningKey()
    {
        var line = StartupLine(new()
        {
            ["Registry:Auth:Enabled"] = "true",
            ["Registry:Database:Provider"] = "postgres",
            ["Registry:Database:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=none",
        });

        Assert.Contains("Registry__Auth__SigningKeyPath is required", line);
    }

    [Fact]
    public void AuthSettingsAreNotCheckedWhileAuthIsOff()
    {
        using var app = Build(new() { ["Registry:Auth:TokenLifetime"] = "00:00:00" });

        app.Services.ValidateSettings();
        Assert.Null(app.Services.GetService<AuthOptions>());
    }

    [Fact]
    public void EachSettingsClassIsBoundOnceAndServedAsItself()
    {
        using var app = Build(new()
        {
            ["Registry:Auth:Enabled"] = "true",
            ["Registry:Auth:TokenLifetime"] = "00:02:00",
            ["Registry:Events:TypePrefix"] = "com.example",
            ["Registry:Proxy:Upstreams:0:Prefix"] = "hub",
            ["Registry:Proxy:Upstreams:0:Url"] = "https://registry-1.docker.io",
        });

        app.Services.ValidateSettings();
        Assert.Same(app.Services.GetRequiredService<IOptions<AuthOptions>>().Value, app.Services.GetRequiredService<AuthOptions>());
        Assert.Equal(TimeSpan.FromMinutes(2), app.Services.GetRequiredService<AuthOptions>().TokenLifetime);
        Assert.Same(app.Services.GetRequiredService<IOptions<EventsOptions>>().Value, app.Services.GetRequiredService<EventsOptions>());
        Assert.Equal("com.example", app.Services.GetRequiredService<EventsOptions>().TypePrefix);
        Assert.Equal("hub", Assert.Single(app.Services.GetRequiredService<ProxyOptions>().Upstreams).Prefix);
        Assert.Same(app.Services.GetRequiredService<RegistryStorageOptions>().Gc, app.Services.GetRequiredService<Registry.Storage.GarbageCollection.GarbageCollectionOptions>());
    }

    /// <summary>What Program.cs prints when building and validating the app with <paramref name="settings"/> fails.</summary>
    private string StartupLine(Dictionary<string, string?> settings)
    {
        var error = Record.Exception(() =>
        {
            using var app = Build(settings);
            app.Services.ValidateSettings();
        });
        Assert.NotNull(error);
        return StartupFailure.Describe(error) ?? throw new Xunit.Sdk.XunitException($"not described as a settings problem: {error}");
    }

    /// <summary>The registry application (not started), as <see cref="RegistryApp.Create"/> builds it, validation and migration included.</summary>
    private DisposableApp Build(Dictionary<string, string?> settings)
    {
        settings["Registry:DataDirectory"] = data.Path;
        settings["Logging:LogLevel:Default"] = "Warning";
        return new(RegistryApp.Create([], builder => builder.Configuration.AddInMemoryCollection(settings)));
    }

    private sealed class DisposableApp(WebApplication app) : IDisposable
    {
        public IServiceProvider Services => app.Services;
        public void Dispose() => ((IDisposable)app).Dispose();
    }
}
