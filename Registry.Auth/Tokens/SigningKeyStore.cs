using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Registry.Auth.Tokens;

/// <summary>
/// The key that signs tokens plus the earlier keys still accepted, each with a <c>kid</c> (its RFC 7638 JWK
/// thumbprint) so tokens name the key that signed them and keys can rotate without invalidating live tokens.
/// </summary>
public sealed class SigningKeyStore
{
    /// <summary>The current signing key.</summary>
    public SigningCredentials Signing { get; }

    /// <summary>Every key a token may be signed with: the current one first.</summary>
    public IReadOnlyList<SecurityKey> VerificationKeys { get; }

    /// <summary>The file the current key came from.</summary>
    public string SigningKeyPath { get; }

    private SigningKeyStore(string path, SecurityKey signing, IReadOnlyList<SecurityKey> previous)
    {
        SigningKeyPath = path;
        Signing = new SigningCredentials(signing, signing is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256);
        VerificationKeys = [signing, .. previous];
    }

    /// <summary>
    /// Loads the configured key, or creates a P-256 key under <paramref name="dataDirectory"/> on first start
    /// (file mode 0600; written to a temp file and moved into place so concurrent starts agree on one key).
    /// </summary>
    public static SigningKeyStore Load(AuthOptions options, string dataDirectory)
    {
        var path = string.IsNullOrWhiteSpace(options.SigningKeyPath)
            ? GenerateIfMissing(Path.Combine(dataDirectory, "auth", "token-signing-key.pem"))
            : Path.GetFullPath(options.SigningKeyPath);
        if (!File.Exists(path))
            throw new InvalidOperationException($"Registry:Auth:SigningKeyPath '{path}' does not exist");
        var previous = options.PreviousSigningKeyPaths.Select(p => FromPem(File.ReadAllText(p), p)).ToList();
        return new SigningKeyStore(path, FromPem(File.ReadAllText(path), path), previous);
    }

    /// <summary>Reads an EC P-256 or RSA (≥ 2048 bits) key, private or public, from PEM text.</summary>
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

    private static T? TryImport<T>(T algorithm, string pem) where T : AsymmetricAlgorithm
    {
        try { algorithm.ImportFromPem(pem); return algorithm; }
        catch (Exception e) when (e is ArgumentException or CryptographicException) { algorithm.Dispose(); return null; }
    }

    private static string GenerateIfMissing(string path)
    {
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temp, fileOptions))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(ec.ExportPkcs8PrivateKeyPem());
            writer.Flush();
            file.Flush(flushToDisk: true);
        }
        try { File.Move(temp, path, overwrite: false); }
        catch (IOException) when (File.Exists(path)) { File.Delete(temp); }
        return path;
    }
}
