using System.Collections.Concurrent;

namespace Registry.Auth.Authentication;

/// <summary>
/// Failed-login limits that cannot be turned into a lock-out weapon. Within a window, failures are counted per
/// (user, client address) and per client address; past either limit, attempts from that address are refused
/// (429 TOOMANYREQUESTS) without checking credentials. A slower limit counts a user's failures from every address:
/// past it the user is not locked out, each attempt waits its turn instead (<see cref="LoginRateLimitOptions.UserDelay"/>
/// apart), so guessing from many addresses is slowed while the owner still gets in.
/// In memory per replica: behind a load balancer an attacker gets at most replicas × limit attempts per window.
/// </summary>
public sealed class LoginRateLimiter(AuthOptions options, TimeProvider time)
{
    /// <summary>Past the per-user limit, an attempt that would wait longer than this is refused instead (bounds queued requests).</summary>
    public static readonly TimeSpan MaxUserWait = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Window> failures = new();
    private readonly Dictionary<string, DateTimeOffset> nextUserTurn = [];
    private sealed record Window(DateTimeOffset Start, int Count);

    private LoginRateLimitOptions Limits => options.RateLimit;

    /// <summary>True when attempts for this user from this address, or anything from this address, are currently refused.</summary>
    public bool IsBlocked(string? user, string? address) =>
        Count(PairKey(user, address)) >= Limits.MaxFailuresPerUserAndAddress
        || Count(AddressKey(address)) >= Limits.MaxFailuresPerAddress;

    /// <summary>
    /// Waits until an attempt for <paramref name="user"/> may be checked: at once below the per-user limit, otherwise
    /// one attempt per <see cref="LoginRateLimitOptions.UserDelay"/>. False when the wait would exceed <see cref="MaxUserWait"/>.
    /// </summary>
    public async Task<bool> WaitForTurnAsync(string? user, CancellationToken cancellationToken)
    {
        var key = UserKey(user);
        if (key is null || Count(key) < Limits.MaxFailuresPerUser) return true;
        TimeSpan wait;
        lock (nextUserTurn)
        {
            var now = time.GetUtcNow();
            var turn = (nextUserTurn.TryGetValue(key, out var next) && next > now ? next : now) + Limits.UserDelay;
            wait = turn - now;
            if (wait > MaxUserWait) return false;
            nextUserTurn[key] = turn;
        }
        await Task.Delay(wait, time, cancellationToken);
        return true;
    }

    /// <summary>Records one failed attempt against the (user, address) pair, the address and the user.</summary>
    public void RecordFailure(string? user, string? address)
    {
        Bump(PairKey(user, address));
        Bump(AddressKey(address));
        Bump(UserKey(user));
        if (failures.Count > 100_000) Prune();
    }

    private static string? UserKey(string? user) => string.IsNullOrEmpty(user) ? null : "u:" + user.ToLowerInvariant();
    private static string? AddressKey(string? address) => string.IsNullOrEmpty(address) ? null : "a:" + address;
    private static string? PairKey(string? user, string? address) =>
        string.IsNullOrEmpty(user) || string.IsNullOrEmpty(address) ? null : "p:" + address + " " + user.ToLowerInvariant();

    private int Count(string? key) =>
        key is not null && failures.TryGetValue(key, out var w) && !Expired(w) ? w.Count : 0;

    private void Bump(string? key)
    {
        if (key is null) return;
        var now = time.GetUtcNow();
        failures.AddOrUpdate(key, _ => new Window(now, 1), (_, w) => Expired(w) ? new Window(now, 1) : w with { Count = w.Count + 1 });
    }

    private bool Expired(Window w) => time.GetUtcNow() - w.Start >= Limits.Window;

    // Bounds memory under a flood of distinct names or addresses.
    private void Prune()
    {
        foreach (var (key, window) in failures)
            if (Expired(window)) failures.TryRemove(key, out _);
        var now = time.GetUtcNow();
        lock (nextUserTurn)
            foreach (var (key, turn) in nextUserTurn)
                if (turn < now) nextUserTurn.Remove(key);
    }
}
