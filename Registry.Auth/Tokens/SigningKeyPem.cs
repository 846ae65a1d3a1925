using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Registry.Auth.Tokens;

/// <summary>Reads token keys from PEM text: EC P-256 (ES256) or RSA ≥ 2048 bits (RS256), private or public, each named by its RFC 7638 thumbprint.</summary>
public static class SigningKeyPem
{
    /// <summary>Every key in <paramref name="pem"/>, in file order (a key file may hold several during a rotation).</summary>
    /// <exception cref="InvalidOperationException">when the text holds no key or an unusable one, naming <paramref name="source"/>.</exception>
    public static IReadOnlyList<SecurityKey> ReadAll(string pem, string source)
    {
        var keys = new List<SecurityKey>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            keys.Add(FromPem(rest[fields.Location].ToString(), source));
            rest = rest[fields.Location.End..];
        }
        if (keys.Count == 0) throw new InvalidOperationException($"'{source}' holds no EC or RSA key in PEM form");
        return keys;
    }

    /// <summary>Reads one EC P-256 or RSA (≥ 2048 bits) key, private or public, from PEM text.</summary>
    public static SecurityKey FromPem(string pem, string source)
    {
        SecurityKey key;
        if (TryImport(ECDsa.Create(), pem) is { } ec)
            key = ec.KeySize == 256 ? new ECDsaSecurityKey(ec)
                : throw new InvalidOperationException($"EC key '{source}' must be P-256 for ES256");
        else if (TryImport(RSA.Create(), pem) is { } rsa)
            key = rsa.KeySize >= 2048 ? new RsaSecurityKey(rsa)
                : throw new InvalidOperationException($"RSA key '{source}' is shorter than 2048 bits");
        else
            throw new InvalidOperationException($"'{source}' holds no EC or RSA key in PEM form");
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }

    /// <summary>True when <paramref name="key"/> can sign.</summary>
    public static bool HasPrivateKey(SecurityKey key) => key switch
    {
        ECDsaSecurityKey ec => TryExportPrivate(() => ec.ECDsa.ExportParameters(includePrivateParameters: true)),
        RsaSecurityKey rsa => TryExportPrivate(() => rsa.Rsa.ExportParameters(includePrivateParameters: true)),
        _ => false,
    };

    private static bool TryExportPrivate(Action export)
    {
        try { export(); return true; }
        catch (CryptographicException) { return false; }
    }

    private static T? TryImport<T>(T algorithm, string pem) where T : AsymmetricAlgorithm
    {
        try { algorithm.ImportFromPem(pem); return algorithm; }
        catch (Exception e) when (e is ArgumentException or CryptographicException) { algorithm.Dispose(); return null; }
    }
}
