namespace RuntimeAgent.Run;

/// <summary>Parses <c>-v HOST:CONTAINER[:ro|rw]</c>.</summary>
public static class VolumeSpec
{
    public static VolumeMount Parse(string text)
    {
        var parts = text.Split(':');
        var readOnly = parts.Length == 3 && parts[2] switch
        {
            "ro" => true,
            "rw" => false,
            _ => throw Invalid(text, $"unknown mode '{parts[2]}' (use ro or rw)"),
        };
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0)
            throw Invalid(text, "expected HOST:CONTAINER[:ro|rw]");
        if (!parts[0].StartsWith('/') || !parts[1].StartsWith('/'))
            throw Invalid(text, "both paths must be absolute");
        var host = Normalize(parts[0]);
        if (!Path.Exists(host)) throw Invalid(text, $"{host} does not exist");
        var container = Normalize(parts[1]);
        if (container == "/") throw Invalid(text, "cannot mount over the container's /");
        return new VolumeMount(host, container, readOnly);
    }

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static ContainerSetupException Invalid(string text, string why) => new($"invalid volume '{text}': {why}");
}
