namespace Registry.Tests.Conformance;

/// <summary>
/// podman with all of its state in a temp directory: vfs storage, runc (crun refuses this machine's hybrid
/// cgroups), no default ulimits (podman 4.3 cannot raise them here), its own tmp, network and events
/// paths, and the private policy/registries/auth of <see cref="ContainersConfig"/>.
/// </summary>
public sealed class PodmanSandbox : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("podman-").FullName;
    private readonly Dictionary<string, string> _environment;

    public PodmanSandbox()
    {
        var containersConf = Path.Combine(_directory, "containers.conf");
        File.WriteAllText(containersConf, $"""
            [containers]
            default_ulimits = []
            [network]
            network_config_dir = "{_directory}/networks"
            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            events_logger = "none"
            tmp_dir = "{_directory}/tmp"
            """);
        var storageConf = Path.Combine(_directory, "storage.conf");
        File.WriteAllText(storageConf, $"""
            [storage]
            driver = "vfs"
            graphroot = "{_directory}/root"
            runroot = "{_directory}/run"
            """);
        _environment = new Dictionary<string, string>(ContainersConfig.Environment)
        {
            ["CONTAINERS_CONF"] = containersConf,
            ["CONTAINERS_STORAGE_CONF"] = storageConf,
            ["XDG_RUNTIME_DIR"] = Path.Combine(_directory, "xdg"),
        };
    }

    public Task<string> RunAsync(params string[] arguments) =>
        ExternalTool.RunAsync("podman", arguments, _environment);

    public Task<ExternalTool.Result> TryRunAsync(params string[] arguments) =>
        ExternalTool.TryRunAsync("podman", arguments, _environment);

    public void Dispose()
    {
        // vfs layers can hold read-only directories; podman's own reset removes them properly.
        ExternalTool.TryRunAsync("podman", ["system", "reset", "--force"], _environment).GetAwaiter().GetResult();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
