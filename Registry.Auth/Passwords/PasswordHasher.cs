using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Registry.Auth.Passwords;

/// <summary>
/// Hashes user passwords with Argon2id and stores them as PHC strings
/// (<c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c>), so the cost can be raised later without breaking
/// existing hashes. Argon2id over PBKDF2: memory-hard, so GPU/ASIC guessing costs far more per attempt.
/// The cost (19 MiB, 2 passes, 1 lane) is OWASP's recommended minimum for Argon2id: a login takes tens of
/// milliseconds on a small server, and failed logins are rate-limited on top.
/// See: https://www.rfc-editor.org/rfc/rfc9106 and OWASP Password Storage Cheat Sheet.
/// </summary>
public static class PasswordHasher
{
    private const int MemoryKiB = 19456, Iterations = 2, Lanes = 1, SaltBytes = 16, HashBytes = 32;

    /// <summary>Longest password accepted: bounds the work an attacker can make us do per attempt.</summary>
    public const int MaxPasswordLength = 1024;

    /// <summary>Hashes a password with a fresh random salt.</summary>
    public static string Hash(string password)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(password.Length, MaxPasswordLength);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Compute(password, salt, MemoryKiB, Iterations, Lanes, HashBytes);
        return $"$argon2id$v=19$m={MemoryKiB},t={Iterations},p={Lanes}${B64(salt)}${B64(hash)}";
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="stored"/>; compares in constant time.</summary>
    public static bool Verify(string password, string stored)
    {
        if (password.Length > MaxPasswordLength) return false;
        var parts = stored.Split('$');
        // ["", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash]
        if (parts.Length != 6 || parts[1] != "argon2id" || parts[2] != "v=19") return false;
        var costs = parts[3].Split(',').Select(kv => kv.Split('=')).Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => int.TryParse(kv[1], out var v) ? v : -1);
        if (!costs.TryGetValue("m", out var m) || !costs.TryGetValue("t", out var t) || !costs.TryGetValue("p", out var p)
            || m is < 8 or > 1 << 22 || t is < 1 or > 16 || p is < 1 or > 16) return false;
        byte[] salt, expected;
        try { (salt, expected) = (FromB64(parts[4]), FromB64(parts[5])); }
        catch (FormatException) { return false; }
        if (expected.Length is < 16 or > 64) return false;
        var actual = Compute(password, salt, m, t, p, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>
    /// A hash of a random password, to verify against when the user does not exist, so that a login for an
    /// unknown user takes as long as one with a wrong password (no user enumeration by timing).
    /// </summary>
    public static readonly string Decoy = Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));

    private static byte[] Compute(string password, byte[] salt, int memoryKiB, int iterations, int lanes, int length)
    {
        using var argon = new Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt, MemorySize = memoryKiB, Iterations = iterations, DegreeOfParallelism = lanes,
        };
        return argon.GetBytes(length);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] FromB64(string text) => Convert.FromBase64String(text.PadRight(text.Length + (4 - text.Length % 4) % 4, '='));
}
