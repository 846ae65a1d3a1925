using Registry.Api.Errors;
using Registry.Api.Proxy;
using Registry.Storage.Manifests;
using Registry.Storage.Policies;
using Registry.Oci;

namespace Registry.Api.Policies;

/// <summary>
/// The organization policies that /v2 writes pass through, in one place: immutable tags and quotas at manifest
/// PUT and DELETE, the quota at blob upload start. Each check answers null (go ahead) or the refusal to send.
/// </summary>
public sealed class RepositoryPolicies(TagImmutability immutability, OrganizationUsage usage, ProxyOptions proxy)
{
    /// <summary>A manifest push's verdict, and what the store adds to its organization's usage with the manifest.</summary>
    public sealed record PushVerdict(IResult? Refusal, UsageCharge? Charge);

    public async Task<PushVerdict> CheckManifestPushAsync(string repository, string? tag, Digest digest, ParsedManifest manifest, CancellationToken cancellationToken)
    {
        if (ProxyRefusal(repository) is { } proxied) return new PushVerdict(proxied, null);
        if (tag is not null && await immutability.CheckPushAsync(repository, tag, digest, cancellationToken) is { } refusal)
            return new PushVerdict(refusal, null);
        if (OrganizationScope.Of(repository) is not { } scope) return new PushVerdict(null, null);
        if (await usage.FindAsync(scope.Organization, cancellationToken) is not { } tracked) return new PushVerdict(null, null);
        var blobs = manifest.Blobs.Select(b => b.Digest).Distinct().ToList();
        var added = await usage.AddedBytesAsync(scope.Organization, blobs, cancellationToken);
        // A push that adds nothing new (a re-tag, a copy inside the organization) is fine even when over the quota.
        if (tracked.QuotaBytes is { } quota && added > 0 && tracked.Bytes + added > quota)
        {
            var message = $"quota exceeded: {OrganizationUsage.Format(tracked.Bytes + added)} used of {OrganizationUsage.Format(quota)} "
                + $"('{scope.Organization}' uses {OrganizationUsage.Format(tracked.Bytes)}; this manifest adds {OrganizationUsage.Format(added)})";
            return new PushVerdict(QuotaDenied(message, tracked.Bytes, added, quota), null);
        }
        return new PushVerdict(null, new UsageCharge(scope.Organization, added));
    }

    /// <summary>Refuses a tag or manifest delete that would remove an immutable tag.</summary>
    public Task<IResult?> CheckDeleteAsync(string repository, string? tag, Digest? digest, CancellationToken cancellationToken) =>
        immutability.CheckDeleteAsync(repository, tag, digest, cancellationToken);

    /// <summary>Brings a tracked organization's usage down after a manifest left it.</summary>
    public Task ManifestDeletedAsync(string repository, CancellationToken cancellationToken) =>
        OrganizationScope.Of(repository) is { } scope ? usage.RecountIfTrackedAsync(scope.Organization, cancellationToken) : Task.CompletedTask;

    /// <summary>Refuses a blob upload into an organization that is already over its quota.</summary>
    public async Task<IResult?> CheckUploadStartAsync(string repository, CancellationToken cancellationToken)
    {
        if (ProxyRefusal(repository) is { } proxied) return proxied;
        if (OrganizationScope.Of(repository) is not { } scope) return null;
        if (await usage.FindAsync(scope.Organization, cancellationToken) is not { QuotaBytes: { } quota } tracked || tracked.Bytes <= quota) return null;
        return QuotaDenied($"quota exceeded: '{scope.Organization}' uses {OrganizationUsage.Format(tracked.Bytes)} of {OrganizationUsage.Format(quota)}; delete images before pushing more",
            tracked.Bytes, 0, quota);
    }

    /// <summary>Repositories under a pull-through prefix hold only what the upstream has: no pushes.</summary>
    private IResult? ProxyRefusal(string repository) => proxy.Find(repository) is { } found
        ? OciError.Denied($"'{found.Upstream.Prefix}/' is a pull-through cache of {found.Upstream.Url}; push to the upstream instead")
        : null;

    private static IResult QuotaDenied(string message, long used, long adding, long quota) =>
        OciError.Create(403, "DENIED", message, new { used, adding, quota });
}
