using System.Text.Json;

namespace RuntimeAgent.Registry;

/// <summary>
/// The credential files other tools keep, read (never written) after the agent's own auth.json: Docker's
/// <c>$DOCKER_CONFIG/config.json</c> (default <c>~/.docker/config.json</c>) and the containers tools'
/// <c>$XDG_RUNTIME_DIR/containers/auth.json</c> (podman, skopeo, buildah). Both hold <c>auths</c> keyed by registry,
/// where Docker's keys may carry a scheme and a path (<c>https://index.docker.io/v1/</c>). Credential helpers
/// (<c>credsStore</c>, <c>credHelpers</c>) are not run.
/// See: https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md
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

    /// <summary>The entry for <paramref name="registry"/> in <paramref name="path"/>; null when the file or the entry is missing.</summary>
    public static CredentialEntry? Find(string path, string registry)
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
        var wanted = Normalize(registry);
        return file?.Auths?.Where(a => Normalize(a.Key) == wanted).Select(a => a.Value).FirstOrDefault();
    }

    /// <summary><c>https://host:port/v2/</c> → <c>host:port</c>; Docker Hub's names → one.</summary>
    private static string Normalize(string key)
    {
        var host = key.Contains("://", StringComparison.Ordinal) ? key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..] : key;
        host = host.Split('/')[0].ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" or "docker.io" ? "docker.io" : host;
    }
}
