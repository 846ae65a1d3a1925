namespace RuntimeAgent.Run;

/// <summary>Parses <c>-v HOST:CONTAINER[:OPTIONS]</c>, OPTIONS a comma list of ro or rw and idmap (as podman's).</summary>
public static class VolumeSpec
{
    public static VolumeMount Parse(string text)
    {
        var parts = text.Split(':');
        var options = parts.Length == 3 ? parts[2].Split(',') : [];
        foreach (var option in options)
            if (option is not ("ro" or "rw" or "idmap")) throw Invalid(text, $"unknown option '{option}' (use ro, rw, idmap)");
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0)
            throw Invalid(text, "expected HOST:CONTAINER[:ro|rw][,idmap]");
        if (!parts[0].StartsWith('/') || !parts[1].StartsWith('/'))
            throw Invalid(text, "both paths must be absolute");
        var host = Normalize(parts[0]);
        if (!Path.Exists(host)) throw Invalid(text, $"{host} does not exist");
        var container = Normalize(parts[1]);
        if (container == "/") throw Invalid(text, "cannot mount over the container's /");
        return new VolumeMount(host, container, options.Contains("ro")) { Idmap = options.Contains("idmap") };
    }

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static ContainerSetupException Invalid(string text, string why) => new($"invalid volume '{text}': {why}");
}
