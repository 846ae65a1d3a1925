using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Registry.Auth.Passwords;

/// <summary>
/// Remembers for <see cref="Lifetime"/> that a password matched a stored Argon2id hash, so a client that sends Basic
/// credentials with every request (the management API, a push asking /token for each scope) pays the hash's cost
/// (19 MiB and about a tenth of a CPU-second with the managed implementation) once a minute instead of per request.
/// <para>
/// It holds only HMAC-SHA256(a key made at start and never stored, stored hash ‖ password): useless outside this
/// process, and a changed password (a new stored hash, new salt) never matches an old entry. Only successes are
/// remembered: a wrong guess always pays the full Argon2id price and counts against the login rate limits.
/// Decision record: docs/decisions/007-verified-password-cache.md.
/// </para>
/// </summary>
public sealed class VerifiedPasswordCache
{
    /// <summary>How long a verified password is trusted without hashing it again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    /// <summary>Entries kept at most; past it, expired ones go and, if that is not enough, all of them.</summary>
    public const int MaxEntries = 10_000;

    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> verified = new(StringComparer.Ordinal);
    private readonly TimeProvider time;
    private readonly Func<string, string, bool> verify;

    public VerifiedPasswordCache(TimeProvider time) : this(time, PasswordHasher.Verify) { }

    /// <summary><paramref name="verify"/> is the hash check (tests wrap the real one to count its calls).</summary>
    public VerifiedPasswordCache(TimeProvider time, Func<string, string, bool> verify) => (this.time, this.verify) = (time, verify);

    /// <summary>True when <paramref name="password"/> matches <paramref name="storedHash"/> (see <see cref="PasswordHasher.Verify"/>).</summary>
    public bool Verify(string password, string storedHash)
    {
        if (password.Length > PasswordHasher.MaxPasswordLength) return false;
        var entry = EntryOf(password, storedHash);
        var now = time.GetUtcNow();
        if (verified.TryGetValue(entry, out var until) && until > now) return true;
        if (!verify(password, storedHash)) return false;
        if (verified.Count >= MaxEntries) Prune(now);
        verified[entry] = now + Lifetime;
        return true;
    }

    private string EntryOf(string password, string storedHash) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(storedHash + "\n" + password)));

    private void Prune(DateTimeOffset now)
    {
        foreach (var (entry, until) in verified)
            if (until <= now) verified.TryRemove(entry, out _);
        if (verified.Count >= MaxEntries) verified.Clear();
    }
}
