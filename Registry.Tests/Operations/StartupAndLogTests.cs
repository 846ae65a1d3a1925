using System.Net;
using Registry.Tests.ScaleOut;

namespace Registry.Tests.Operations;

/// <summary>The registry binary as an operator starts it: a bad setting is one line naming the variable, logs are readable.</summary>
[Trait("Category", "Integration")]
public sealed class StartupAndLogTests : IDisposable
{
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("registry-startup-").FullName;

    public void Dispose() => Directory.Delete(dataDirectory, recursive: true);

    [Theory]
    [InlineData("Registry__Gc__Interval", "banana")]
    [InlineData("Registry__Database__Provider", "oracle")]
    [InlineData("Registry__ForwardedHeaders__KnownProxies__0", "nginx")]
    [InlineData("Registry__Logging__Format", "xml")]
    [InlineData("Registry__Auth__TokenLifetime", "00:00:00")]
    [InlineData("Registry__Storage__Driver", "tape")]
    [InlineData("Registry__Events__PollInterval", "00:00:00")]
    [InlineData("Registry__Retention__Schedule", "-1.00:00:00")]
    [InlineData("Registry__Proxy__Upstreams__0__Url", "ftp://mirror")]
    [InlineData("Registry__Replication__RequestTimeout", "soon")]
    public async Task BadSettingPrintsOneLineNamingTheVariableAndExitsNonZero(string variable, string value)
    {
        var (exitCode, output) = await RegistryProcess.RunUntilExitAsync(new Dictionary<string, string>
        {
            ["Registry__DataDirectory"] = dataDirectory,
            ["Registry__Auth__Enabled"] = "true",
            [variable] = value,
        });

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(output, l => l.Trim().Length > 0);
        Assert.StartsWith("registry: cannot start: ", line);
        Assert.Contains(variable, line);
        Assert.DoesNotContain(output, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogsAreTextLinesByDefaultWithoutEfCoreCommandLogs()
    {
        var lines = await LogsOfAFewRequestsAsync(new Dictionary<string, string>());
        Assert.Contains(lines, l => l.Contains("info: Microsoft.Hosting.Lifetime", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith('{'));
        Assert.DoesNotContain(lines, l => l.Contains("Executed DbCommand", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogsAreJsonLinesWhenConfigured()
    {
        var lines = await LogsOfAFewRequestsAsync(new Dictionary<string, string> { ["Registry__Logging__Format"] = "json" });
        Assert.NotEmpty(lines);
        Assert.All(lines, l => System.Text.Json.JsonDocument.Parse(l).Dispose());
        Assert.Contains(lines, l => l.Contains("\"Category\":\"Microsoft.Hosting.Lifetime\"", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Executed DbCommand", StringComparison.Ordinal));
    }

    private async Task<IReadOnlyList<string>> LogsOfAFewRequestsAsync(Dictionary<string, string> settings)
    {
        settings["Registry__DataDirectory"] = dataDirectory;
        settings["Logging__LogLevel__Default"] = "Information";
        await using var registry = await RegistryProcess.StartAsync(settings);
        for (var i = 0; i < 3; i++)
        {
            using var catalog = await registry.Client.GetAsync("/v2/_catalog"); // each one queries the database
            Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
        }
        await Task.Delay(500); // let the console logger's queue drain
        return registry.Output.Where(l => l.Trim().Length > 0).ToList();
    }
}
