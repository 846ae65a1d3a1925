using System.Collections.Concurrent;

namespace Registry.Api.Caching;

/// <summary>
/// Short-lived answers kept in memory per repository and key, for the hottest small reads. This replica
/// drops an entry the moment it changes what the entry says; changes made by OTHER replicas show here
/// within the entry's lifetime. Bounded: past <see cref="MaxEntries"/> the cache starts over.
/// </summary>
public abstract class RepositoryCache<TValue>(TimeSpan lifetime, TimeProvider clock)
{
    public const int MaxEntries = 20_000;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Entry>> repositories = new();
    private int count;

    public bool TryGet(string repository, string key, out TValue value)
    {
        value = default!;
        if (lifetime <= TimeSpan.Zero || !repositories.TryGetValue(repository, out var entries) || !entries.TryGetValue(key, out var entry))
            return false;
        if (entry.ExpiresAt <= clock.GetUtcNow()) return false;
        value = entry.Value;
        return true;
    }

    public void Set(string repository, string key, TValue value)
    {
        if (lifetime <= TimeSpan.Zero) return;
        if (Interlocked.Increment(ref count) > MaxEntries)
        {
            repositories.Clear();
            Interlocked.Exchange(ref count, 1);
        }
        repositories.GetOrAdd(repository, _ => new())[key] = new Entry(value, clock.GetUtcNow() + lifetime);
    }

    /// <summary>Forgets one entry (it was written or deleted here).</summary>
    public void Invalidate(string repository, string key)
    {
        if (repositories.TryGetValue(repository, out var entries)) entries.TryRemove(key, out _);
    }

    /// <summary>Forgets every entry of a repository.</summary>
    public void InvalidateRepository(string repository) => repositories.TryRemove(repository, out _);

    private sealed record Entry(TValue Value, DateTimeOffset ExpiresAt);
}
