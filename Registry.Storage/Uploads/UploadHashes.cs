using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Registry.Storage.Uploads;

/// <summary>
/// The running sha256 of each upload this replica has received every byte of. .NET cannot serialize an
/// <see cref="IncrementalHash"/>, so the state lives here; when a session moves to another replica (or
/// this one restarts) the offsets no longer line up and completion re-hashes the staged bytes instead.
/// </summary>
public sealed class UploadHashes
{
    private readonly ConcurrentDictionary<string, RunningHash> hashes = new();

    /// <summary>
    /// The running hash to feed the bytes that follow <paramref name="offset"/>, or null when this replica
    /// did not see the bytes before it (they will be re-hashed at completion).
    /// </summary>
    public RunningHash? ForAppend(string uploadId, long offset)
    {
        if (offset == 0)
        {
            var fresh = new RunningHash();
            hashes[uploadId] = fresh;
            return fresh;
        }
        if (hashes.TryGetValue(uploadId, out var running) && running.Offset == offset) return running;
        Forget(uploadId);
        return null;
    }

    /// <summary>The sha256 of the first <paramref name="offset"/> bytes, when this replica saw all of them.</summary>
    public byte[]? TryFinish(string uploadId, long offset)
    {
        if (!hashes.TryRemove(uploadId, out var running)) return null;
        using (running) return running.Offset == offset ? running.Hash.GetCurrentHash() : null;
    }

    /// <summary>Drops the state of a session (cancelled, failed or finished).</summary>
    public void Forget(string uploadId)
    {
        if (hashes.TryRemove(uploadId, out var running)) running.Dispose();
    }
}

/// <summary>A sha256 in progress and how many bytes it has consumed.</summary>
public sealed class RunningHash : IDisposable
{
    public IncrementalHash Hash { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    public long Offset { get; set; }
    public void Dispose() => Hash.Dispose();
}
