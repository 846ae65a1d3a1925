using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Registry.Storage.Blobs;
using Registry.Storage.Metadata;
using Registry.Storage.Metadata.Entities;
using Registry.Oci;

namespace Registry.Storage.Uploads;

/// <summary>
/// Blob upload sessions: a DB row per session (so any replica, or this one after a restart, continues it),
/// bytes staged in the blob store, and the digest computed by the server while the bytes stream in.
/// </summary>
public sealed class UploadSessionService(
    RegistryDbContext db, IBlobStore store, IMetadataStore metadata, UploadHashes hashes, TimeProvider time)
{
    /// <summary>Starts an empty session for <paramref name="repository"/>.</summary>
    public async Task<UploadSession> StartAsync(string repository, CancellationToken cancellationToken)
    {
        var id = UploadIds.New();
        await store.BeginUploadAsync(id, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var session = new UploadSession(id, repository, 0);
        await InsertRowAsync(session, now, cancellationToken);
        return session;
    }

    /// <summary>The session <paramref name="id"/> of <paramref name="repository"/>, or null.</summary>
    public async Task<UploadSession?> FindAsync(string repository, string id, CancellationToken cancellationToken)
    {
        if (!UploadIds.IsValid(id)) return null;
        var row = await db.UploadSessions.AsNoTracking()
            .Where(u => u.Id == id && u.RepositoryName == repository).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : new UploadSession(row.Id, row.RepositoryName, row.Offset);
    }

    /// <summary>
    /// Appends <paramref name="body"/> at the session's offset; returns the session with its new offset.
    /// <paramref name="completing"/>: the same request completes the session next, so the new offset is not
    /// recorded (should completion fail, the next append drops the unrecorded bytes and continues).
    /// </summary>
    /// <exception cref="UploadOffsetMismatchException">when another request moved the staged bytes.</exception>
    public async Task<UploadSession> AppendAsync(UploadSession session, Stream body, bool completing, CancellationToken cancellationToken)
    {
        var running = hashes.ForAppend(session.Id, session.Offset);
        var hashing = new HashingReadStream(body, running?.Hash);
        long staged;
        try
        {
            staged = await store.AppendUploadAsync(session.Id, session.Offset, hashing, cancellationToken);
        }
        catch
        {
            hashes.Forget(session.Id);
            throw;
        }
        if (running is not null && staged == session.Offset + hashing.BytesRead) running.Offset = staged;
        else hashes.Forget(session.Id);

        if (completing) return session with { Offset = staged };
        var now = time.GetUtcNow().UtcDateTime;
        await db.UploadSessions.Where(u => u.Id == session.Id).ExecuteUpdateAsync(
            set => set.SetProperty(u => u.Offset, staged).SetProperty(u => u.UpdatedAt, now), cancellationToken);
        return session with { Offset = staged };
    }

    /// <summary>
    /// Verifies the staged bytes against <paramref name="expected"/>; publishes and links them to the
    /// repository when they match, discards the session when they do not. Returns the computed digest.
    /// </summary>
    public async Task<Digest> CompleteAsync(UploadSession session, Digest expected, CancellationToken cancellationToken)
    {
        var hash = expected.Algorithm == "sha256" ? hashes.TryFinish(session.Id, session.Offset) : null;
        hashes.Forget(session.Id);
        hash ??= await HashStagedAsync(session.Id, expected.HashAlgorithm, cancellationToken);
        var actual = Digest.FromHash(expected.Algorithm, hash);
        if (actual != expected)
        {
            await CancelAsync(session, cancellationToken);
            return actual;
        }
        // The blob row is touched (or created) BEFORE the bytes are published. A garbage-collection sweep of this
        // digest either finished deleting row and bytes before the touch (the publish below then writes our own
        // staged bytes) or sees the fresh touch and keeps the blob. Publishing first could let the store drop
        // our staged copy as a duplicate of bytes that the sweep deletes a moment later.
        var newLink = await metadata.LinkUploadedBlobAsync(session.Repository, actual, session.Offset, session.Id, cancellationToken);
        try
        {
            await store.PublishUploadAsync(session.Id, actual, cancellationToken);
        }
        catch
        {
            // The repository must not claim bytes it lacks (a link it had before this upload points at bytes
            // stored earlier, and stays), and the session comes back so the client can retry the PUT.
            if (newLink) await metadata.UnlinkBlobAsync(session.Repository, actual, CancellationToken.None);
            await InsertRowAsync(session, time.GetUtcNow().UtcDateTime, CancellationToken.None);
            throw;
        }
        return actual;
    }

    /// <summary>Cancels a session: drops its staged bytes and its row.</summary>
    public async Task CancelAsync(UploadSession session, CancellationToken cancellationToken)
    {
        hashes.Forget(session.Id);
        await store.DeleteUploadAsync(session.Id, cancellationToken);
        await DeleteRowAsync(session.Id, cancellationToken);
    }

    private async Task<byte[]> HashStagedAsync(string uploadId, HashAlgorithmName algorithm, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(algorithm);
        await using var staged = await store.OpenUploadAsync(uploadId, cancellationToken);
        var buffer = new byte[128 * 1024];
        int read;
        while ((read = await staged.ReadAsync(buffer, cancellationToken)) > 0) hash.AppendData(buffer, 0, read);
        return hash.GetCurrentHash();
    }

    // One INSERT, not the change tracker: this runs for every blob push.
    private async Task InsertRowAsync(UploadSession session, DateTime now, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync(
                $"INSERT INTO upload_sessions (id, repository_name, byte_offset, started_at, updated_at) VALUES ({session.Id}, {session.Repository}, {session.Offset}, {now}, {now})",
                cancellationToken);
    }

    private async Task DeleteRowAsync(string uploadId, CancellationToken cancellationToken)
    {
        await db.UploadSessions.Where(u => u.Id == uploadId).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>An upload session: its id, repository and how many bytes are staged.</summary>
public sealed record UploadSession(string Id, string Repository, long Offset);
