using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Registry.Api.Events.Delivery;
using Registry.Api.Policies;
using Registry.Api.Secrets;
using Registry.Auth.Permissions;
using Registry.Storage.Events;
using Registry.Storage.Metadata;
using Registry.Storage.Replication;

namespace Registry.Api.Replication;

/// <summary>
/// One pass of the replication worker: claims each due rule (a compare-and-set lease, so one replica at a time works
/// on a rule), reads the event log after the rule's cursor, copies each matching push in order, and moves the cursor
/// after each success. A failure stops the rule at that event, records the error and retries it after an exponential
/// backoff (the webhook retry settings, <c>Registry:Events:RetryBaseDelay</c>/<c>RetryMaxDelay</c>); later pushes
/// wait behind it, so the target never gets a tag moved out of order. Replication never gives up on an event.
/// </summary>
public sealed class ReplicationPass(RegistryDbContext db, ImageCopier copier, SecretsAtRest secrets, OutboundGuard guard,
    ReplicationOptions options, EventsOptions events, TimeProvider time, ILogger<ReplicationPass> logger)
{
    private const int BatchSize = 50;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var due = await db.Set<ReplicationRuleEntity>().AsNoTracking().Where(r => r.NextAttemptAt <= now && r.ClaimedUntil <= now)
            .OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (var id in due)
        {
            var claimed = await db.Set<ReplicationRuleEntity>().Where(r => r.Id == id && r.ClaimedUntil <= now)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.ClaimedUntil, now + Lease), cancellationToken);
            if (claimed == 0) continue;
            var rule = await db.Set<ReplicationRuleEntity>().FirstAsync(r => r.Id == id, cancellationToken);
            try
            {
                await ReplicateAsync(rule, cancellationToken);
            }
            finally
            {
                rule.ClaimedUntil = time.GetUtcNow().UtcDateTime;
                await db.SaveChangesAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task ReplicateAsync(ReplicationRuleEntity rule, CancellationToken cancellationToken)
    {
        var prefix = OrganizationScope.PrefixOf(rule.Organization);
        var pending = await PendingAsync(db, rule, prefix, BatchSize, cancellationToken);
        if (pending.Count == 0) return;
        string? password;
        try
        {
            password = rule.ProtectedPassword is null ? null : secrets.Reveal(SecretKind.ReplicationPassword, rule.ProtectedPassword);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            RecordFailure(rule, pending[0].Event, "the stored password cannot be decrypted (the data protection keys changed); re-create the rule");
            return;
        }
        using var target = new TargetRegistryClient(new Uri(rule.Target), rule.Username, password, guard, options.RequestTimeout);
        foreach (var item in pending)
        {
            var destination = rule.TargetRepositoryPrefix + item.Event.Repository;
            try
            {
                if (item.Copy) await copier.CopyAsync(target, item.Event.Repository, destination, item.Event.Digest!, item.Event.Tag, cancellationToken);
            }
            catch (Exception e) when (e is ReplicationException or HttpRequestException or IOException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                RecordFailure(rule, item.Event, e is OperationCanceledException ? $"timed out after {options.RequestTimeout} talking to the target" : e.Message);
                return;
            }
            rule.Cursor = item.Event.Id;
            if (item.Copy)
            {
                rule.LastSuccessAt = time.GetUtcNow().UtcDateTime;
                rule.LastReplicated = $"{item.Event.Repository}{(item.Event.Tag is null ? "" : ":" + item.Event.Tag)}@{item.Event.Digest}";
                rule.FailedAttempts = 0;
            }
            rule.ClaimedUntil = time.GetUtcNow().UtcDateTime + Lease;
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private void RecordFailure(ReplicationRuleEntity rule, EventEntity failed, string error)
    {
        var now = time.GetUtcNow().UtcDateTime;
        rule.FailedAttempts++;
        rule.LastError = error.Length > 2000 ? error[..2000] : error;
        rule.LastErrorAt = now;
        rule.NextAttemptAt = now + DeliveryBackoff.Delay(events, rule.FailedAttempts);
        logger.LogWarning("Replication rule {Rule} of {Organization} failed on event {Event} (attempt {Attempts}): {Error}",
            rule.Id, rule.Organization, failed.Id, rule.FailedAttempts, rule.LastError);
    }

    /// <summary>An event after the rule's cursor, and whether the rule copies it (or only moves its cursor past it).</summary>
    public sealed record PendingEvent(EventEntity Event, bool Copy);

    /// <summary>
    /// The next events of the rule's organization that could concern it: tagged pushes matching its patterns are
    /// copied; a referrer is copied when its subject carries a matching tag (signatures pushed after the image).
    /// </summary>
    public static async Task<List<PendingEvent>> PendingAsync(RegistryDbContext db, ReplicationRuleEntity rule, string prefix, int limit,
        CancellationToken cancellationToken)
    {
        var rows = await db.Set<EventEntity>().AsNoTracking()
            .Where(e => e.Id > rule.Cursor && e.Repository.StartsWith(prefix) && (e.Type == EventTypes.ManifestPushed || e.Type == EventTypes.ReferrerAdded))
            .OrderBy(e => e.Id).Take(limit).ToListAsync(cancellationToken);
        var result = new List<PendingEvent>();
        foreach (var row in rows)
        {
            var copy = row.Digest is not null && RepositoryPattern.WildcardMatches(rule.Repositories, row.Repository[prefix.Length..])
                && (row.Type == EventTypes.ManifestPushed
                    ? row.Tag is not null && RepositoryPattern.WildcardMatches(rule.Tags, row.Tag)
                    : await SubjectHasMatchingTagAsync(db, row, rule.Tags, cancellationToken));
            result.Add(new PendingEvent(row, copy));
        }
        return result;
    }

    private static async Task<bool> SubjectHasMatchingTagAsync(RegistryDbContext db, EventEntity row, string tags, CancellationToken cancellationToken)
    {
        using var data = JsonDocument.Parse(row.DataJson);
        if (!data.RootElement.TryGetProperty("subject", out var subjectElement) || subjectElement.GetString() is not { } subject) return false;
        var names = await (from t in db.Tags join m in db.Manifests on t.ManifestId equals m.Id join r in db.Repositories on m.RepositoryId equals r.Id
                           where r.Name == row.Repository && m.Digest == subject select t.Name).ToListAsync(cancellationToken);
        return names.Any(n => RepositoryPattern.WildcardMatches(tags, n));
    }
}
