using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Registry.Storage.Metadata;
using Registry.Storage.Policies;

namespace Registry.Api.Policies;

/// <summary>
/// What each organization stores: the distinct blobs its manifests reference (<c>bytes</c>) and the part of
/// them no other namespace references (<c>uniqueBytes</c>). Pushes add to <c>bytes</c> with one atomic
/// increment inside the manifest's transaction (<see cref="UsageCharge"/>); a recount (after deletes, on <see cref="UsageRecount"/>'s timer, when a quota is set) replaces
/// both with exact figures, which also repairs any drift from concurrent pushes of the same new blob.
/// </summary>
public sealed class OrganizationUsage(RegistryDbContext db, TimeProvider time)
{
    /// <summary>The tracked row of <paramref name="organization"/>, or null when nobody set a quota or asked for usage.</summary>
    public Task<OrganizationUsageEntity?> FindAsync(string organization, CancellationToken cancellationToken) =>
        db.Set<OrganizationUsageEntity>().AsNoTracking().FirstOrDefaultAsync(u => u.Organization == organization, cancellationToken);

    /// <summary>Bytes of the blobs among <paramref name="blobDigests"/> that no manifest of the organization references yet.</summary>
    public async Task<long> AddedBytesAsync(string organization, IReadOnlyCollection<string> blobDigests, CancellationToken cancellationToken)
    {
        if (blobDigests.Count == 0) return 0;
        var referenced = ReferencedDigests(organization, inside: true);
        return await db.Blobs.Where(b => blobDigests.Contains(b.Digest) && !referenced.Contains(b.Digest))
            .SumAsync(b => (long?)b.Size, cancellationToken) ?? 0;
    }

    /// <summary>Counts the organization's usage exactly and stores it (starting to track it), keeping its quota.</summary>
    public async Task<OrganizationUsageEntity> RecountAsync(string organization, CancellationToken cancellationToken)
    {
        // Lock the row before counting: a manifest push increments it first thing in its own transaction, so the
        // count below runs either before that push (which then adds its bytes) or after it commits (and sees it).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"UPDATE organization_usage SET bytes = bytes WHERE organization = {organization}", cancellationToken);
        var inside = ReferencedDigests(organization, inside: true);
        var outside = ReferencedDigests(organization, inside: false);
        var bytes = await db.Blobs.Where(b => inside.Contains(b.Digest)).SumAsync(b => (long?)b.Size, cancellationToken) ?? 0;
        var unique = await db.Blobs.Where(b => inside.Contains(b.Digest) && !outside.Contains(b.Digest))
            .SumAsync(b => (long?)b.Size, cancellationToken) ?? 0;
        var now = time.GetUtcNow().UtcDateTime;
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO organization_usage (organization, quota_bytes, bytes, unique_bytes, counted_at) VALUES ({organization}, NULL, {bytes}, {unique}, {now})
            ON CONFLICT (organization) DO UPDATE SET bytes = excluded.bytes, unique_bytes = excluded.unique_bytes, counted_at = excluded.counted_at
            """, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await FindAsync(organization, cancellationToken))!;
    }

    /// <summary>Recounts a tracked organization (after a delete); nothing for an untracked one.</summary>
    public async Task RecountIfTrackedAsync(string organization, CancellationToken cancellationToken)
    {
        if (await db.Set<OrganizationUsageEntity>().AnyAsync(u => u.Organization == organization, cancellationToken))
            await RecountAsync(organization, cancellationToken);
    }

    /// <summary>Sets (or with null removes) the quota, counting the usage first so the limit applies at once.</summary>
    public async Task<OrganizationUsageEntity> SetQuotaAsync(string organization, long? quotaBytes, CancellationToken cancellationToken)
    {
        await RecountAsync(organization, cancellationToken);
        await db.Set<OrganizationUsageEntity>().Where(u => u.Organization == organization)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.QuotaBytes, quotaBytes), cancellationToken);
        return (await FindAsync(organization, cancellationToken))!;
    }

    /// <summary>Digests referenced by manifests of repositories inside (or outside) the organization.</summary>
    private IQueryable<string> ReferencedDigests(string organization, bool inside)
    {
        var prefix = OrganizationScope.PrefixOf(organization);
        var repositories = db.Repositories.Where(r => r.Name.StartsWith(prefix) == inside).Select(r => r.Id);
        var manifests = db.Manifests.Where(m => repositories.Contains(m.RepositoryId)).Select(m => m.Id);
        return db.ManifestReferences.Where(r => manifests.Contains(r.ManifestId)).Select(r => r.Digest);
    }

    /// <summary>"1.2 GiB", "340 MiB", "12 bytes": the figures a refusal shows.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? $"{bytes} bytes" : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }
}
