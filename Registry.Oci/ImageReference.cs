namespace Registry.Oci;

/// <summary>
/// An image reference such as <c>localhost:5000/org/app:1.0</c> or <c>host/org/app@sha256:…</c>.
/// Docker-style short names (<c>busybox</c>) mean <c>docker.io/library/busybox:latest</c>.
/// See: https://github.com/distribution/reference/blob/main/reference.go
/// </summary>
public sealed record ImageReference(string Registry, string Repository, string? Tag, Digest? Digest)
{
    public const string DockerHub = "docker.io";

    /// <summary>The tag or digest to ask the registry for (the digest wins when both are given).</summary>
    public string ManifestReference => Digest?.ToString() ?? Tag!;

    /// <summary>The host the API lives on: Docker Hub's API is not on docker.io itself.</summary>
    public string ApiHost => Registry == DockerHub ? "registry-1.docker.io" : Registry;

    /// <summary>The registry plus repository, no tag or digest: <c>localhost:5000/org/app</c>.</summary>
    public string Name => $"{Registry}/{Repository}";

    public override string ToString() =>
        Name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>Parses a reference or throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static ImageReference Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new FormatException("empty image reference");
        var rest = text;
        Digest? digest = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            if (!Digest.TryParse(rest[(at + 1)..], out var parsed))
                throw new FormatException($"invalid digest in image reference '{text}'");
            digest = parsed;
            rest = rest[..at];
        }

        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!Oci.Tag.IsValid(tag)) throw new FormatException($"invalid tag '{tag}' in image reference '{text}'");
        }

        var (registry, repository) = SplitRegistry(rest);
        if (!RepositoryName.IsValid(repository))
            throw new FormatException($"invalid repository name '{repository}' in image reference '{text}'");
        if (tag is null && digest is null) tag = "latest";
        return new ImageReference(registry, repository, tag, digest);
    }

    /// <summary>The registry part of a login argument: <c>localhost:5000</c>, <c>https://host/</c> → <c>host</c>.</summary>
    public static string NormalizeRegistry(string registry)
    {
        var host = registry.Trim();
        foreach (var scheme in new[] { "https://", "http://" })
            if (host.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) host = host[scheme.Length..];
        host = host.TrimEnd('/');
        if (host.EndsWith("/v2", StringComparison.Ordinal)) host = host[..^3];
        if (host is "index.docker.io" or "registry-1.docker.io") host = DockerHub;
        if (host.Length == 0 || host.Contains('/')) throw new FormatException($"invalid registry '{registry}'");
        return host.ToLowerInvariant();
    }

    /// <summary>True for registries reached over plain HTTP by default: loopback only.</summary>
    public static bool IsLoopback(string registry)
    {
        var host = registry.StartsWith('[') ? registry[1..registry.IndexOf(']')] : registry.Split(':')[0];
        return host is "localhost" or "::1" || host.StartsWith("127.", StringComparison.Ordinal);
    }

    private static (string Registry, string Repository) SplitRegistry(string name)
    {
        var slash = name.IndexOf('/');
        if (slash > 0)
        {
            var first = name[..slash];
            if (first.Contains('.') || first.Contains(':') || first == "localhost" || first.StartsWith('['))
                return (NormalizeRegistry(first), name[(slash + 1)..]);
        }
        return (DockerHub, slash < 0 ? "library/" + name : name);
    }
}
