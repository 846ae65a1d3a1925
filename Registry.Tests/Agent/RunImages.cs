using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>
/// A real registry with the busybox images the run tests use, and an agent store (--root) that has pulled
/// them. One per test class; everything lives in temp directories.
/// </summary>
public sealed class RunImages : IAsyncLifetime
{
    private RegistryServer? server;
    private readonly AgentRoot store = new();

    public string Root => store.Path;

    /// <summary>Busybox with Env FOO=from-image, WorkingDir /app and a Cmd that prints both.</summary>
    public string Configured { get; private set; } = "";

    /// <summary>
    /// Three layers: busybox; /etc/doomed.txt and /data/{a,b}.txt; then a whiteout of /etc/doomed.txt and
    /// /data made opaque with a new /data/c.txt.
    /// </summary>
    public string Layered { get; private set; } = "";

    /// <summary>Busybox with a HEALTHCHECK (every 200 ms) that passes once /tmp/healthy exists and prints the checking uid.</summary>
    public string Healthy { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!AgentBinary.IsRoot) throw new InvalidOperationException("the run tests need root (namespaces, overlayfs, mounts)");
        server = await RegistryServer.StartAsync();
        var push = new RegistryPushClient(server.Client);
        var registry = server.BaseAddress.Authority;

        await push.PushAsync("run/configured", ImageBuilder.FromBusybox()
            .Layer(l => l.Directory("app"))
            .Env("FOO", "from-image").WorkingDir("/app").Cmd("sh", "-c", "echo cmd $FOO; pwd")
            .Build(), "1");
        Configured = $"{registry}/run/configured:1";

        await push.PushAsync("run/layered", ImageBuilder.FromBusybox()
            .Layer(l => l.File("etc/doomed.txt", "doomed").Directory("data").File("data/a.txt", "a").File("data/b.txt", "b"))
            .Layer(l => l.Whiteout("etc/doomed.txt").OpaqueDirectory("data").File("data/c.txt", "c"))
            .Build(), "1");
        Layered = $"{registry}/run/layered:1";

        await push.PushAsync("run/healthy", ImageBuilder.FromBusybox()
            .Healthcheck(TimeSpan.FromMilliseconds(200), "CMD-SHELL", "id -u; test -e /tmp/healthy")
            .Build(), "1");
        Healthy = $"{registry}/run/healthy:1";

        foreach (var image in new[] { Configured, Layered, Healthy })
        {
            var pull = await Agent("pull", image);
            if (pull.ExitCode != 0) throw new InvalidOperationException($"pull {image} failed: {pull}");
        }
    }

    /// <summary>Runs the agent against this store.</summary>
    public Task<AgentResult> Agent(params string[] args) => store.RunAsync(args);

    /// <summary>Runs the agent against this store and asserts that it succeeded.</summary>
    public async Task<AgentResult> AgentOk(params string[] args)
    {
        var result = await Agent(args);
        Assert.True(result.ExitCode == 0, $"runtime-agent {string.Join(' ', args)} failed: {result}");
        return result;
    }

    /// <summary>The <c>state</c> object of <c>inspect NAME</c>.</summary>
    public async Task<System.Text.Json.JsonElement> InspectState(string name)
    {
        using var document = System.Text.Json.JsonDocument.Parse((await AgentOk("inspect", name)).Stdout);
        return document.RootElement[0].GetProperty("state").Clone();
    }

    /// <summary>A fresh container name for one test.</summary>
    public static string ContainerName() => $"t{Guid.NewGuid():N}"[..13];

    /// <summary>Host directories of the unpacked layers.</summary>
    public IEnumerable<string> LayerDirectories => Directory.EnumerateDirectories(Path.Join(Root, "layers")).Where(d => !Path.GetFileName(d).StartsWith('.'));

    public string ContainersDirectory => Path.Join(Root, "containers");

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
        store.Dispose();
    }
}
