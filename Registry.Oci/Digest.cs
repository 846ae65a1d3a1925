using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Registry.Oci;

/// <summary>
/// A validated content digest such as <c>sha256:0123…</c>: the one digest type of the project.
/// See: https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
/// </summary>
public sealed partial record Digest
{
    /// <summary>The algorithm, <c>sha256</c> or <c>sha512</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The lower-case hex encoding of the hash.</summary>
    public string Hex { get; }

    private Digest(string algorithm, string hex) => (Algorithm, Hex) = (algorithm, hex);

    /// <summary>Parses a digest string; returns false for unknown algorithms or a wrong hex length.</summary>
    public static bool TryParse(string? text, out Digest digest)
    {
        digest = null!;
        if (text is null) return false;
        var match = Shape().Match(text);
        if (!match.Success) return false;
        var algorithm = match.Groups[1].Value;
        var hex = match.Groups[2].Value;
        var expectedLength = algorithm switch { "sha256" => 64, "sha512" => 128, _ => -1 };
        if (hex.Length != expectedLength) return false;
        digest = new Digest(algorithm, hex);
        return true;
    }

    /// <summary>Parses a digest string or throws <see cref="FormatException"/>.</summary>
    public static Digest Parse(string text) =>
        TryParse(text, out var digest) ? digest : throw new FormatException($"invalid digest '{text}'");

    /// <summary>The sha256 digest of a byte span.</summary>
    public static Digest Sha256Of(ReadOnlySpan<byte> bytes) =>
        new("sha256", Convert.ToHexStringLower(SHA256.HashData(bytes)));

    /// <summary>Builds a digest from an algorithm name and a finished hash.</summary>
    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) =>
        new(algorithm, Convert.ToHexStringLower(hash));

    /// <summary>The hash algorithm to compute this digest with.</summary>
    public HashAlgorithmName HashAlgorithm =>
        Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;

    public override string ToString() => $"{Algorithm}:{Hex}";

    [GeneratedRegex("^([a-z0-9]+)(?:[.+_-][a-z0-9]+)*:([a-f0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
