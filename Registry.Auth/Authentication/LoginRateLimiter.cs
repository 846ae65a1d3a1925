using System.Collections.Concurrent;

namespace Registry.Auth.Authentication;

/// <summary>
/// Counts failed logins per user name and per client address in fixed windows; once either count reaches its
/// limit, further attempts are refused (429 TOOMANYREQUESTS) without checking credentials, until the window ends.
/// In memory per replica: behind a load balancer an attacker gets at most replicas × limit attempts per window.
/// </summary>
public sealed class LoginRateLimiter(AuthOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Window> failures = new();
    private sealed record Window(DateTimeOffset Start, int Count);

    /// <summary>True when attempts for this user or from this address are currently blocked.</summary>
    public bool IsBlocked(string? user, string? address) =>
        Count(UserKey(user)) >= options.RateLimit.MaxFailuresPerUser
        || Count(AddressKey(address)) >= options.RateLimit.MaxFailuresPerAddress;

    /// <summary>Records one failed attempt against both the user and the address.</summary>
    public void RecordFailure(string? user, string? address)
    {
        Bump(UserKey(user));
        Bump(AddressKey(address));
        if (failures.Count > 100_000) Prune();
    }

    private static string? UserKey(string? user) => string.IsNullOrEmpty(user) ? null : "u:" + user.ToLowerInvariant();
    private static string? AddressKey(string? address) => string.IsNullOrEmpty(address) ? null : "a:" + address;

    private int Count(string? key) =>
        key is not null && failures.TryGetValue(key, out var w) && !Expired(w) ? w.Count : 0;

    private void Bump(string? key)
    {
        if (key is null) return;
        var now = time.GetUtcNow();
        failures.AddOrUpdate(key, _ => new Window(now, 1), (_, w) => Expired(w) ? new Window(now, 1) : w with { Count = w.Count + 1 });
    }

    private bool Expired(Window w) => time.GetUtcNow() - w.Start >= options.RateLimit.Window;

    // Bounds memory under a flood of distinct names or addresses.
    private void Prune()
    {
        foreach (var (key, window) in failures)
            if (Expired(window)) failures.TryRemove(key, out _);
    }
}
