using System.Collections.Concurrent;
using Registry.Storage.Metadata;

namespace Registry.Api.Manifests;

/// <summary>
/// Manifest GET by tag is the hottest small request, so the tag → manifest answer is kept in memory.
/// This replica drops an entry the moment it writes or deletes the tag (or deletes the repository's
/// manifests); writes made by OTHER replicas show here within <c>Registry:ManifestCacheSeconds</c>
/// (default 5 s), the entry's lifetime. Bounded: past <see cref="MaxEntries"/> the cache starts over.
/// </summary>
public sealed class ManifestTagCache(TimeSpan lifetime, TimeProvider clock)
{
    public const int MaxEntries = 20_000;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Entry>> repositories = new();
    private int count;

    public bool TryGet(string repository, string tag, out StoredManifest manifest)
    {
        manifest = null!;
        if (lifetime <= TimeSpan.Zero || !repositories.TryGetValue(repository, out var tags) || !tags.TryGetValue(tag, out var entry))
            return false;
        if (entry.ExpiresAt <= clock.GetUtcNow()) return false;
        manifest = entry.Manifest;
        return true;
    }

    public void Set(string repository, string tag, StoredManifest manifest)
    {
        if (lifetime <= TimeSpan.Zero) return;
        if (Interlocked.Increment(ref count) > MaxEntries)
        {
            repositories.Clear();
            Interlocked.Exchange(ref count, 1);
        }
        repositories.GetOrAdd(repository, _ => new())[tag] = new Entry(manifest, clock.GetUtcNow() + lifetime);
    }

    /// <summary>Forgets one tag (it was written or deleted here).</summary>
    public void Invalidate(string repository, string tag)
    {
        if (repositories.TryGetValue(repository, out var tags)) tags.TryRemove(tag, out _);
    }

    /// <summary>Forgets every tag of a repository (a manifest was deleted, taking its tags with it).</summary>
    public void InvalidateRepository(string repository) => repositories.TryRemove(repository, out _);

    private sealed record Entry(StoredManifest Manifest, DateTimeOffset ExpiresAt);
}
