namespace RuntimeAgent.Run;

/// <summary>
/// Container ids: 12 hex digits, like Docker's short ids. Random.Shared, not RandomNumberGenerator: an id
/// needs to be unique, not secret, and on Linux the latter loads OpenSSL, a large share of `run`'s start-up.
/// </summary>
internal static class ContainerId
{
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[6];
        Random.Shared.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
