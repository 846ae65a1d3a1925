using System.Text.Json;

namespace RuntimeAgent.Registry;

/// <summary>
/// The credential files other tools keep, read (never written) after the agent's own auth.json: Docker's
/// <c>$DOCKER_CONFIG/config.json</c> (default <c>~/.docker/config.json</c>) and the containers tools'
/// <c>$XDG_RUNTIME_DIR/containers/auth.json</c> (podman, skopeo, buildah). Both hold <c>auths</c> keyed by registry,
/// where Docker's keys may carry a scheme and a path (<c>https://index.docker.io/v1/</c>). In each file, as docker
/// decides: a <c>credHelpers</c> entry for the registry names its helper; else an <c>auths</c> entry with credentials
/// is used; else the <c>credsStore</c> helper, if any, is asked (<see cref="CredentialHelper"/>).
/// See: https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md
/// See: https://docs.docker.com/reference/cli/docker/login/#credential-stores
/// </summary>
internal static class SharedCredentialFiles
{
    public static IReadOnlyList<string> Paths()
    {
        var paths = new List<string>();
        var dockerConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } dir ? dir
            : Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? Path.Join(home, ".docker") : null;
        if (dockerConfig is not null) paths.Add(Path.Join(dockerConfig, "config.json"));
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime) paths.Add(Path.Join(runtime, "containers", "auth.json"));
        return paths;
    }

    /// <summary>The credentials <paramref name="path"/> gives <paramref name="registry"/>; null when the file has none for it.</summary>
    public static Credentials? Find(string path, string registry)
    {
        CredentialFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), AgentJsonContext.Default.CredentialFile);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path} is not valid JSON: {e.Message}");
        }
        if (file is null) return null;
        var wanted = Normalize(registry);
        if (file.CredHelpers?.Where(h => Normalize(h.Key) == wanted).Select(h => h.Value).FirstOrDefault() is { Length: > 0 } helper)
            return CredentialHelper.Get(helper, registry, path);
        var entry = file.Auths?.Where(a => Normalize(a.Key) == wanted).Select(a => a.Value).FirstOrDefault();
        if (CredentialStore.Decode(entry, path) is { } found) return found;
        return file.CredsStore is { Length: > 0 } store ? CredentialHelper.Get(store, registry, path) : null;
    }

    /// <summary><c>https://host:port/v2/</c> → <c>host:port</c>; Docker Hub's names → one.</summary>
    private static string Normalize(string key)
    {
        var host = key.Contains("://", StringComparison.Ordinal) ? key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..] : key;
        host = host.Split('/')[0].ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" or "docker.io" ? "docker.io" : host;
    }
}
