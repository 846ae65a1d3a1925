using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Registry.Api.Management;
using Registry.Storage.Events;
using Registry.Storage.Metadata;

namespace Registry.Api.Events;

/// <summary>
/// The registry activity the audit log shows besides management writes: pushes and deletes (from the event log)
/// and pulls (the hourly counts), each with actor and client address.
/// </summary>
public static class ActivityAudit
{
    private static readonly string[] AuditedTypes =
        [EventTypes.ManifestPushed, EventTypes.ManifestDeleted, EventTypes.TagDeleted, EventTypes.BlobDeleted,
         EventTypes.ReferrerAdded, EventTypes.RepositoryCreated, EventTypes.RepositoryDeleted];

    /// <summary>The newest <paramref name="limit"/> push, delete and pull entries (of <paramref name="organization"/>'s repositories when given).</summary>
    public static async Task<List<AuditEntryResponse>> ReadAsync(RegistryDbContext db, string? organization, int limit, CancellationToken ct)
    {
        var events = db.Set<EventEntity>().AsNoTracking().Where(e => AuditedTypes.Contains(e.Type));
        var pulls = db.Set<PullCountEntity>().AsNoTracking();
        if (organization is not null)
        {
            var prefix = organization + "/";
            events = events.Where(e => e.Repository.StartsWith(prefix));
            pulls = pulls.Where(p => p.Repository.StartsWith(prefix));
        }
        var changes = await events.OrderByDescending(e => e.Id).Take(limit).ToListAsync(ct);
        var pulled = await pulls.OrderByDescending(p => p.Hour).Take(limit).ToListAsync(ct);
        return
        [
            .. changes.Select(e => FromEvent(e, organization)),
            .. pulled.Select(p => new AuditEntryResponse(Utc(p.Hour), p.Actor, p.ClientAddress, EventTypes.Pulled, $"{p.Repository}@{p.Digest}",
                organization, $"count={p.Count} in the hour from {Utc(p.Hour):HH:mm}")),
        ];
    }

    private static AuditEntryResponse FromEvent(EventEntity row, string? organization)
    {
        var data = JsonDocument.Parse(row.DataJson).RootElement;
        var actor = data.TryGetProperty("actor", out var a) ? a.GetProperty("name").GetString() ?? "" : "";
        var client = data.TryGetProperty("clientAddress", out var c) ? c.GetString() : null;
        var target = row.Repository.Length == 0 ? row.Digest ?? ""
            : row.Tag is { } tag ? $"{row.Repository}:{tag}" : row.Digest is { } digest ? $"{row.Repository}@{digest}" : row.Repository;
        var detail = row.Tag is not null && row.Digest is not null ? $"digest={row.Digest}" : null;
        return new AuditEntryResponse(Utc(row.OccurredAt), actor, client, row.Type, target, organization, detail);
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
