using Registry.Tests.Conformance;

namespace Registry.Tests.Build;

/// <summary>
/// buildah with all of its state in a temp directory: vfs storage, runc, no default ulimits (as
/// <see cref="PodmanSandbox"/>), Docker format so HEALTHCHECK/SHELL/ONBUILD/STOPSIGNAL survive, host network.
/// </summary>
public sealed class BuildahSandbox : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("buildah-").FullName;
    private readonly Dictionary<string, string> environment;

    public BuildahSandbox()
    {
        var containersConf = Path.Combine(directory, "containers.conf");
        File.WriteAllText(containersConf, $"""
            [containers]
            default_ulimits = []
            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            events_logger = "none"
            tmp_dir = "{directory}/tmp"
            """);
        environment = new Dictionary<string, string>(ContainersConfig.Environment)
        {
            ["CONTAINERS_CONF"] = containersConf,
            ["XDG_RUNTIME_DIR"] = Path.Combine(directory, "xdg"),
        };
    }

    private string[] Global => ["--root", Path.Combine(directory, "root"), "--runroot", Path.Combine(directory, "run"), "--storage-driver", "vfs"];

    /// <summary>`buildah bud` of a context; extra arguments (e.g. --target) go before the context.</summary>
    public Task<ExternalTool.Result> BudAsync(string context, string tag, params string[] extra) =>
        ExternalTool.TryRunAsync("buildah", [.. Global, "bud", "--runtime", "runc", "--format", "docker", "--layers=false", "--network", "host",
                                             "-t", tag, .. extra, context], environment, TimeSpan.FromMinutes(5));

    /// <summary>The image as an OCI layout directory (for umoci) and its Docker-format config (`buildah inspect`).</summary>
    public async Task<string> ExportAsync(string tag, string layout)
    {
        await ExternalTool.RunAsync("buildah", [.. Global, "push", tag, $"oci:{layout}:image"], environment);
        return await ExternalTool.RunAsync("buildah", [.. Global, "inspect", "--type", "image", tag], environment);
    }

    public void Dispose()
    {
        ExternalTool.TryRunAsync("buildah", [.. Global, "rm", "--all"], environment).GetAwaiter().GetResult();
        ExternalTool.TryRunAsync("buildah", [.. Global, "rmi", "--all", "--force"], environment).GetAwaiter().GetResult();
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
