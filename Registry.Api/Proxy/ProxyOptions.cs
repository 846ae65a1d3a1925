namespace Registry.Api.Proxy;

/// <summary>
/// Pull-through cache upstreams, bound from <c>Registry:Proxy:Upstreams:N</c>
/// (<c>Registry__Proxy__Upstreams__0__Prefix=hub</c>, <c>__Url</c>, <c>__Username</c>, <c>__Password</c>, <c>__ManifestTtl</c>).
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "Registry:Proxy";

    public List<UpstreamOptions> Upstreams { get; set; } = [];

    /// <summary>The upstream serving <paramref name="repository"/> and the repository's name there, or null.</summary>
    public (UpstreamOptions Upstream, string RemoteName)? Find(string repository)
    {
        foreach (var upstream in Upstreams)
        {
            if (repository.StartsWith(upstream.Prefix + "/", StringComparison.Ordinal))
                return (upstream, repository[(upstream.Prefix.Length + 1)..]);
        }
        return null;
    }

    /// <summary>Every problem with these settings, each saying what to fix.</summary>
    public IEnumerable<string> Validate()
    {
        for (var i = 0; i < Upstreams.Count; i++)
        {
            var upstream = Upstreams[i];
            if (string.IsNullOrEmpty(upstream.Prefix) || upstream.Prefix.Contains('/') || upstream.Prefix != upstream.Prefix.ToLowerInvariant())
                yield return $"Registry:Proxy:Upstreams:{i}:Prefix must be one lower-case path component, e.g. hub.";
            if (!Uri.TryCreate(upstream.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                yield return $"Registry:Proxy:Upstreams:{i}:Url must be an http(s) URL, e.g. https://registry-1.docker.io.";
            if (upstream.ManifestTtl < TimeSpan.Zero)
                yield return $"Registry:Proxy:Upstreams:{i}:ManifestTtl is negative; use e.g. 00:05:00.";
            if (Upstreams.Take(i).Any(other => other.Prefix == upstream.Prefix))
                yield return $"Registry:Proxy:Upstreams:{i}:Prefix '{upstream.Prefix}' is used twice.";
        }
    }
}

/// <summary>One upstream registry and how to reach it.</summary>
public sealed class UpstreamOptions
{
    /// <summary>The first path component that routes pulls to this upstream (<c>hub/library/debian</c> → <c>library/debian</c>).</summary>
    public string Prefix { get; set; } = "";
    public string Url { get; set; } = "";
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>How long a cached tag is served before it is checked again with a HEAD upstream. Default 5 minutes.</summary>
    public TimeSpan ManifestTtl { get; set; } = TimeSpan.FromMinutes(5);
}
