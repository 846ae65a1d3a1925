using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent.Isolation;

/// <summary>
/// A registry with one image for the isolation tests: busybox plus <c>/bin/isolation-probe</c>, a static C program
/// (isolation-probe.c, compiled here with the host's gcc) that tries each thing the default profile refuses and
/// prints NAME=OK or NAME=ERRNO per attempt. The agent store (--root) has pulled it.
/// </summary>
public sealed class IsolationImage : IAsyncLifetime
{
    private RegistryServer? server;
    private readonly AgentRoot store = new();
    private readonly string build = Directory.CreateTempSubdirectory("isolation-probe-").FullName;

    public string Reference { get; private set; } = "";

    public string Root => store.Path;

    public async Task InitializeAsync()
    {
        if (!AgentBinary.IsRoot) throw new InvalidOperationException("the isolation tests need root (namespaces, cgroups, mounts)");
        var source = Path.Join(AgentBinary.RepositoryRoot(), "Registry.Tests", "Agent", "Isolation", "isolation-probe.c");
        var probe = Path.Join(build, "isolation-probe");
        await ExternalTool.RunAsync("gcc", ["-static", "-O1", "-Wall", "-o", probe, source]);

        server = await RegistryServer.StartAsync();
        await new RegistryPushClient(server.Client).PushAsync("isolation/probe", ImageBuilder.FromBusybox()
            .Layer(l => l.HostFile("bin/isolation-probe", probe, (UnixFileMode)0x1ed /* 0755 */))
            .Build(), "1");
        Reference = $"{server.BaseAddress.Authority}/isolation/probe:1";
        var pull = await Agent("pull", Reference);
        if (pull.ExitCode != 0) throw new InvalidOperationException($"pull {Reference} failed: {pull}");
    }

    /// <summary>Runs the agent against this store.</summary>
    public Task<AgentResult> Agent(params string[] args) => store.RunAsync(args);

    /// <summary>Runs <c>run [options] IMAGE CMD…</c>, asserting exit 0.</summary>
    public async Task<string> RunOkAsync(string[] options, params string[] command)
    {
        var result = await Agent(["run", .. options, Reference, .. command]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout;
    }

    /// <summary>The probe's NAME=RESULT lines, run with <paramref name="options"/>.</summary>
    public async Task<Dictionary<string, string>> ProbeAsync(params string[] options)
    {
        var output = await RunOkAsync(options, "/bin/isolation-probe", HostBlockDevice());
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    /// <summary>The container's /proc/self/status fields (CapEff, Seccomp, NoNewPrivs…), run with <paramref name="options"/>.</summary>
    public async Task<Dictionary<string, string>> StatusAsync(params string[] options)
    {
        var output = await RunOkAsync(options, "cat", "/proc/self/status");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
    }

    /// <summary>MAJOR:MINOR of one of this host's block devices (the disk the tests must not reach).</summary>
    public static string HostBlockDevice() => Path.GetFileName(Directory.EnumerateFileSystemEntries("/sys/dev/block").Order().First());

    public string ContainersDirectory => Path.Join(Root, "containers");

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
        store.Dispose();
        Directory.Delete(build, recursive: true);
    }
}
