using System.Security.Cryptography;
using System.Text;

namespace Registry.Auth.Passwords;

/// <summary>
/// Machine secrets (robot secrets, personal access tokens, refresh tokens): 256 random bits with a readable
/// prefix (<c>rrb_</c>, <c>rpat_</c>, <c>rrt_</c>) so a leaked one is recognisable by secret scanners and so the
/// server knows without a lookup that a Basic password is a token, not a user password. Only a SHA-256 of the
/// secret is stored: with 256 bits of entropy a slow KDF adds nothing, and the lookup stays a cheap index seek.
/// </summary>
public static class SecretToken
{
    public const string RobotPrefix = "rrb_", PersonalTokenPrefix = "rpat_", RefreshTokenPrefix = "rrt_";

    /// <summary>A new secret: the prefix followed by 43 base64url characters.</summary>
    public static string Create(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The stored form of a secret: lower-case hex SHA-256.</summary>
    public static string HashOf(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Constant-time check of a presented secret against its stored hash.</summary>
    public static bool Matches(string presented, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashOf(presented)), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
