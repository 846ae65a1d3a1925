using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Build;

/// <summary>
/// One build test's world: the project's registry (Kestrel on loopback, SQLite) holding the busybox base image, a temp agent --root, a
/// temp build context, and the NativeAOT agent binary (RUNTIME_AGENT_PATH, as scripts/test.sh publishes it).
/// </summary>
public sealed class BuildWorkspace : IAsyncDisposable
{
    private readonly RegistryServer registry;

    public string Directory { get; }
    public string Root => Path.Combine(Directory, "root");
    public string Context => Path.Combine(Directory, "context");
    public string Registry => $"{registry.BaseAddress.Host}:{registry.BaseAddress.Port}";
    public string BaseImage => $"{Registry}/base/busybox:1";

    private BuildWorkspace(RegistryServer registry, string directory) => (this.registry, Directory) = (registry, directory);

    public static async Task<BuildWorkspace> StartAsync()
    {
        Assert.True(Environment.UserName == "root", "the build tests need root (overlay mounts, namespaces)");
        _ = AgentPath;
        var registry = await RegistryServer.StartAsync();
        using var http = new HttpClient { BaseAddress = registry.BaseAddress };
        await new RegistryPushClient(http).PushAsync("base/busybox", ImageBuilder.FromBusybox().Build(), "1");
        var workspace = new BuildWorkspace(registry, System.IO.Directory.CreateTempSubdirectory("build-test-").FullName);
        System.IO.Directory.CreateDirectory(workspace.Context);
        return workspace;
    }

    public static string AgentPath =>
        Environment.GetEnvironmentVariable("RUNTIME_AGENT_PATH") is { Length: > 0 } path && File.Exists(path) ? path
            : throw new InvalidOperationException("RUNTIME_AGENT_PATH must name the published agent: run scripts/test.sh, or `dotnet publish runtime-agent -c Release -o DIR` and export RUNTIME_AGENT_PATH=DIR/runtime-agent");

    /// <summary>Writes a context file (parents created); returns its path.</summary>
    public string Write(string relative, string content)
    {
        var path = Path.Combine(Context, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Runs the agent against this workspace's --root.</summary>
    public Task<ExternalTool.Result> AgentAsync(params string[] args) =>
        WithRegistryErrors(ExternalTool.TryRunAsync(AgentPath, ["--root", Root, .. args], timeout: TimeSpan.FromMinutes(3)));

    /// <summary>Runs the agent against this workspace's --root with extra environment variables.</summary>
    public Task<ExternalTool.Result> AgentAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        WithRegistryErrors(ExternalTool.TryRunAsync(AgentPath, ["--root", Root, .. args], environment, TimeSpan.FromMinutes(3)));

    /// <summary>A failed agent run's stderr gains what the registry logged as errors (the other half of a 500).</summary>
    public async Task<ExternalTool.Result> WithRegistryErrors(Task<ExternalTool.Result> run)
    {
        var result = await run;
        return result.ExitCode == 0 ? result : result with { Stderr = result.Stderr + registry.Errors.Describe() };
    }

    public Task<ExternalTool.Result> BuildAsync(string tag, params string[] extra) =>
        AgentAsync(["build", "-t", tag, .. extra, Context]);

    public async ValueTask DisposeAsync()
    {
        await registry.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a failed test may leave a busy file; the temp dir is the OS's to clean */ }
    }
}
