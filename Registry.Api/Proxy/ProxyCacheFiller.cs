using System.Net;
using Registry.Api.Errors;
using Registry.Storage.Manifests;
using Registry.Storage.Metadata;
using Registry.Oci;

namespace Registry.Api.Proxy;

/// <summary>
/// Fetches manifests from an upstream (verifying their digest and parsing them before anything is kept) and
/// fills the cache behind a pull: every blob (joining downloads already running), every child of an index,
/// then the manifest and its tag, so the same pull works later with the upstream gone.
/// </summary>
public sealed class ProxyCacheFiller(BlobFetches fetches, IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger<ProxyCacheFiller> logger)
{
    public sealed record FetchedManifest(Digest Digest, ParsedManifest Parsed, StoredManifest Stored);

    /// <summary>The manifest, or the refusal to send (<see cref="Outage"/> when the upstream is down or rate-limits).</summary>
    public sealed record FetchResult(FetchedManifest? Manifest, IResult? Refusal, bool Outage, string? Reason);

    public async Task<FetchResult> FetchManifestAsync(UpstreamClient upstream, string remoteName, string reference, Digest? expected, CancellationToken cancellationToken)
    {
        using var response = await upstream.SendAsync(HttpMethod.Get, remoteName, $"v2/{remoteName}/manifests/{reference}", PullThroughCache.ManifestAccept, bounded: true, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return new(null, OciError.ManifestUnknown(reference), false, null);
        if ((int)response.StatusCode is 429 or >= 500)
            return new(null, OciError.Unavailable($"upstream answered {(int)response.StatusCode}"), true, $"upstream answered {(int)response.StatusCode}");
        if (!response.IsSuccessStatusCode) throw new UpstreamException($"upstream answered {(int)response.StatusCode} for manifest {reference}", null, (int)response.StatusCode);
        if (response.Content.Headers.ContentLength > ManifestParser.MaxManifestBytes) throw new UpstreamException($"upstream manifest {reference} is over the size cap");
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var algorithm = expected?.Algorithm ?? "sha256";
        var digest = Digest.FromHash(algorithm, System.Security.Cryptography.CryptographicOperations.HashData(
            algorithm == "sha512" ? System.Security.Cryptography.HashAlgorithmName.SHA512 : System.Security.Cryptography.HashAlgorithmName.SHA256, content));
        var announced = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : null;
        if ((expected is not null && expected != digest) || (announced is not null && announced.StartsWith(algorithm + ":") && announced != digest.ToString()))
            throw new UpstreamException($"upstream manifest {reference} does not match its digest; not served");
        ParsedManifest parsed;
        try
        {
            parsed = ManifestParser.Parse(content, mediaType);
        }
        catch (ManifestInvalidException e)
        {
            throw new UpstreamException($"upstream manifest {reference} is invalid: {e.Message}");
        }
        return new(new FetchedManifest(digest, parsed, new StoredManifest(digest.ToString(), parsed.MediaType, content, parsed.Subject?.Digest)), null, false, null);
    }

    /// <summary>Caches a fetched manifest behind the response; failures are logged and the next pull tries again.</summary>
    public void CacheInBackground(UpstreamClient upstream, string repository, string remoteName, FetchedManifest manifest, string? tag) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await CacheAsync(upstream, repository, remoteName, manifest, tag, lifetime.ApplicationStopping);
            }
            catch (Exception e)
            {
                logger.LogWarning("Caching {Repository}@{Digest} failed: {Reason}", repository, manifest.Digest, e.Message);
            }
        });

    private async Task CacheAsync(UpstreamClient upstream, string repository, string remoteName, FetchedManifest manifest, string? tag, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var metadata = scope.ServiceProvider.GetRequiredService<IMetadataStore>();
        foreach (var blob in manifest.Parsed.RequiredBlobDigests.Distinct())
        {
            var digest = Digest.Parse(blob);
            if (await metadata.GetLinkedBlobSizeAsync(repository, digest, cancellationToken) is not null) continue;
            await fetches.StartOrJoin(upstream, remoteName, digest, repository).Stored.WaitAsync(cancellationToken);
            // A download started for another repository of the same upstream stored the bytes; link them here too.
            if (await metadata.GetLinkedBlobSizeAsync(repository, digest, cancellationToken) is null)
                await metadata.TryLinkExistingBlobAsync(repository, digest, cancellationToken);
        }
        foreach (var child in manifest.Parsed.Manifests)
        {
            var childDigest = Digest.Parse(child.Digest);
            if (await metadata.GetManifestAsync(repository, childDigest, cancellationToken) is not null) continue;
            var fetched = await FetchManifestAsync(upstream, remoteName, child.Digest, childDigest, cancellationToken);
            if (fetched.Manifest is null) throw new UpstreamException($"upstream could not give child manifest {child.Digest}");
            await CacheAsync(upstream, repository, remoteName, fetched.Manifest, null, cancellationToken);
        }
        await metadata.PutManifestAsync(repository, manifest.Digest, manifest.Parsed, manifest.Stored.Content, tag, null, cancellationToken);
        if (tag is not null) scope.ServiceProvider.GetRequiredService<Manifests.ManifestTagCache>().Invalidate(repository, tag);
    }
}
