namespace Registry.Tests.Conformance;

/// <summary>
/// Private config files for skopeo and podman (policy, registries, auth) in a temp directory, passed by
/// environment, so tests never read or change the host's /etc/containers or ~/.config.
/// </summary>
public static class ContainersConfig
{
    private static readonly Lazy<string> Directory = new(() =>
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("containers-config-").FullName;
        File.WriteAllText(Path.Combine(directory, "policy.json"), """{"default":[{"type":"insecureAcceptAnything"}]}""");
        File.WriteAllText(Path.Combine(directory, "registries.conf"), "unqualified-search-registries = []\n");
        File.WriteAllText(Path.Combine(directory, "auth.json"), """{"auths":{}}""");
        return directory;
    });

    public static string PolicyPath => Path.Combine(Directory.Value, "policy.json");

    /// <summary>Environment for any containers/image client (skopeo, podman).</summary>
    public static IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(Directory.Value, "registries.conf"),
        ["REGISTRY_AUTH_FILE"] = Path.Combine(Directory.Value, "auth.json"),
    };
}
