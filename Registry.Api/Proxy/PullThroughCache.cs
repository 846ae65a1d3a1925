using System.Collections.Concurrent;
using Registry.Api.Errors;
using Registry.Api.Manifests;
using Registry.Storage.Metadata;
using Registry.Oci;

namespace Registry.Api.Proxy;

/// <summary>
/// Pulls of <c>&lt;prefix&gt;/&lt;path&gt;</c> served from an upstream registry and cached: a tag is taken from the cache
/// while it was checked within the upstream's ManifestTtl, then revalidated with a HEAD; a missing manifest is
/// fetched, verified and served at once while its blobs are cached behind it (then the manifest and tag are
/// stored); a missing blob streams to the client while it is stored (<see cref="BlobFetches"/>). When the
/// upstream is down or rate-limits, what is cached is served with a <c>Warning</c> header.
/// </summary>
public sealed class PullThroughCache(ProxyOptions options, UpstreamClients clients, BlobFetches fetches, ProxyCacheFiller filler,
    ILogger<PullThroughCache> logger, TimeProvider time)
{
    /// <summary>Manifest media types we accept from an upstream (the ones we can store).</summary>
    public const string ManifestAccept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
        + "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

    private readonly ConcurrentDictionary<(string Repository, string Tag), DateTimeOffset> validated = new();

    /// <summary>True when <paramref name="repository"/> is under a proxy prefix.</summary>
    public bool Serves(string repository) => options.Find(repository) is not null;

    public async Task<IResult> GetManifestAsync(string repository, string? tag, Digest? digest, HttpContext context, CancellationToken cancellationToken)
    {
        var (upstreamOptions, remoteName) = options.Find(repository)!.Value;
        var upstream = clients.For(upstreamOptions);
        var metadata = context.RequestServices.GetRequiredService<IMetadataStore>();
        var reference = tag ?? digest!.ToString();
        var local = tag is not null
            ? await metadata.GetTaggedManifestAsync(repository, tag, cancellationToken)
            : await metadata.GetManifestAsync(repository, digest!, cancellationToken);
        // Content by digest never changes; a tag is trusted for the TTL after it was last checked.
        if (local is not null && (tag is null || IsFresh(repository, tag, upstreamOptions))) return ManifestEndpoints.Send(context, local, reference);
        try
        {
            if (local is not null)
            {
                using var head = await upstream.SendAsync(HttpMethod.Head, remoteName, $"v2/{remoteName}/manifests/{reference}", ManifestAccept, bounded: true, cancellationToken);
                if (IsOutage(head)) return Stale(context, local, reference, $"upstream answered {(int)head.StatusCode}");
                if (head.IsSuccessStatusCode && head.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.First() == local.Digest)
                {
                    validated[(repository, tag!)] = time.GetUtcNow();
                    return ManifestEndpoints.Send(context, local, reference);
                }
            }
            var fetched = await filler.FetchManifestAsync(upstream, remoteName, reference, digest, cancellationToken);
            if (fetched.Refusal is { } refusal) return local is not null && fetched.Outage ? Stale(context, local, reference, fetched.Reason!) : refusal;
            if (tag is not null) validated[(repository, tag)] = time.GetUtcNow();
            filler.CacheInBackground(upstream, repository, remoteName, fetched.Manifest!, tag);
            return ManifestEndpoints.Send(context, fetched.Manifest!.Stored, reference);
        }
        catch (Exception e) when (e is HttpRequestException or UpstreamException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning("Upstream {Upstream} failed for {Repository}:{Reference}: {Reason}", upstreamOptions.Url, repository, reference, e.Message);
            return local is not null ? Stale(context, local, reference, "upstream unreachable")
                : OciError.Unavailable($"the upstream of '{upstreamOptions.Prefix}' cannot be reached and {reference} is not cached");
        }
    }

    /// <summary>A blob the repository lacks: streamed from the upstream while it is stored (one download per digest).</summary>
    public async Task<IResult> GetBlobAsync(string repository, Digest digest, HttpContext context, CancellationToken cancellationToken)
    {
        var (upstreamOptions, remoteName) = options.Find(repository)!.Value;
        var fetch = fetches.StartOrJoin(clients.For(upstreamOptions), remoteName, digest, repository);
        try
        {
            await fetch.Headers.WaitAsync(cancellationToken);
        }
        catch (UpstreamException e) when (e.Status == 404)
        {
            return OciError.BlobUnknown(digest.ToString());
        }
        catch (Exception e) when (e is HttpRequestException or UpstreamException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return OciError.Unavailable($"the upstream of '{upstreamOptions.Prefix}' failed for {digest}: {e.Message}");
        }
        var headers = context.Response.Headers;
        headers["Docker-Content-Digest"] = digest.ToString();
        context.Response.ContentLength = fetch.Length;
        if (HttpMethods.IsHead(context.Request.Method)) return Results.Empty;
        var reader = fetch.TryOpenReader();
        if (reader is null)
        {
            // The download finished and was stored meanwhile: wait for its outcome and serve it from the store.
            await fetch.Stored.WaitAsync(cancellationToken);
            context.Response.ContentLength = null;
            return Results.Redirect(context.Request.Path + context.Request.QueryString, permanent: false, preserveMethod: true);
        }
        return Results.Stream(reader, "application/octet-stream");
    }

    private bool IsFresh(string repository, string tag, UpstreamOptions upstream) =>
        validated.TryGetValue((repository, tag), out var at) && time.GetUtcNow() - at < upstream.ManifestTtl;

    private static bool IsOutage(HttpResponseMessage response) => (int)response.StatusCode is 429 or >= 500;

    private static IResult Stale(HttpContext context, StoredManifest local, string reference, string reason)
    {
        // See: https://www.rfc-editor.org/rfc/rfc7234#section-5.5.1 (110 Response is Stale)
        context.Response.Headers["Warning"] = $"110 - \"Response is Stale: {reason}; serving the cached manifest\"";
        return ManifestEndpoints.Send(context, local, reference);
    }
}
