using Microsoft.EntityFrameworkCore;
using Registry.Storage.Events;
using Registry.Storage.Metadata;

namespace Registry.Storage.Policies;

/// <summary>
/// Deletes one tag for retention, but only while it still points at the manifest the plan saw: a push that
/// moved the tag since then made it the newest one, which no rule meant to delete.
/// </summary>
public sealed class TagSweeper(RegistryDbContext db, EventOutbox outbox)
{
    /// <summary>
    /// True when the tag was deleted. <paramref name="beforeCommit"/> runs inside the transaction once the
    /// deletion is certain (to save an audit entry with it), before the tag.deleted event that must come last.
    /// </summary>
    public async Task<bool> TryDeleteAsync(string repository, long repositoryId, string tag, long manifestId, string digest,
        Func<CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var removed = await db.Tags.Where(t => t.RepositoryId == repositoryId && t.Name == tag && t.ManifestId == manifestId)
            .ExecuteDeleteAsync(cancellationToken);
        if (removed == 0) return false;
        if (beforeCommit is not null) await beforeCommit(cancellationToken);
        await outbox.WriteAsync([new RegistryEvent(EventTypes.TagDeleted, repository, digest, tag)], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
