using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Registry.Auth.Tokens;

/// <summary>
/// The key that signs tokens plus the earlier keys still accepted, each with a <c>kid</c> (its RFC 7638 JWK
/// thumbprint) so tokens name the key that signed them and keys can rotate without invalidating live tokens.
/// <para>
/// The key file is the one truth every replica reads (docs/decisions/003-shared-token-signing-key.md): it holds
/// one or more PEM keys, the first signs and every one verifies. It is read again every
/// <see cref="ReloadInterval"/>, and at once (at most once a second) when a token names a key this replica does not
/// know, so a rotation written by the operator (new key first, old key kept after it) is seen by every replica
/// without a restart, and a token signed by a replica that saw it first is accepted by one that did not yet.
/// </para>
/// </summary>
public sealed class SigningKeyStore
{
    /// <summary>How often the key file is read again to pick up a rotation.</summary>
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan UnknownKeyReloadInterval = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<SecurityKey> configuredPrevious;
    private readonly TimeProvider time;
    private readonly object reloadLock = new();
    private volatile KeySet keys;
    private long nextReload, nextUnknownKeyReload;

    private SigningKeyStore(string path, KeySet keys, IReadOnlyList<SecurityKey> configuredPrevious, TimeProvider time)
    {
        SigningKeyPath = path;
        this.keys = keys;
        this.configuredPrevious = configuredPrevious;
        this.time = time;
        nextReload = time.GetTimestamp() + Ticks(ReloadInterval);
    }

    /// <summary>The current signing key (the first key of the file).</summary>
    public SigningCredentials Signing => Current().Signing;

    /// <summary>Every key a token may be signed with: the current one first.</summary>
    public IReadOnlyList<SecurityKey> VerificationKeys => Current().Verification;

    /// <summary>The file the keys come from.</summary>
    public string SigningKeyPath { get; }

    /// <summary>
    /// Loads the configured key file (creating a P-256 key there when it does not exist yet), or, with no path
    /// configured, a key generated under <paramref name="dataDirectory"/> on first start. New files get mode 0600
    /// and are written to a temp file and moved into place, so replicas starting together agree on one key.
    /// </summary>
    /// <exception cref="InvalidOperationException">when a file holds no usable key, naming the file.</exception>
    public static SigningKeyStore Load(AuthOptions options, string dataDirectory, TimeProvider? time = null)
    {
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(options.SigningKeyPath)
            ? Path.Combine(dataDirectory, "auth", "token-signing-key.pem")
            : options.SigningKeyPath);
        GenerateIfMissing(path);
        var previous = options.PreviousSigningKeyPaths.SelectMany(p => SigningKeyPem.ReadAll(File.ReadAllText(p), p)).ToList();
        return new SigningKeyStore(path, KeySet.Read(File.ReadAllBytes(path), path, previous), previous, time ?? TimeProvider.System);
    }

    /// <summary>Reads the file again when a token names a key not known here (at most once a second); true when that added keys.</summary>
    public bool ReloadForUnknownKey()
    {
        var now = time.GetTimestamp();
        var due = Interlocked.Read(ref nextUnknownKeyReload);
        if (now < due || Interlocked.CompareExchange(ref nextUnknownKeyReload, now + Ticks(UnknownKeyReloadInterval), due) != due) return false;
        var before = keys;
        return Reload() != before;
    }

    private KeySet Current()
    {
        var now = time.GetTimestamp();
        var due = Interlocked.Read(ref nextReload);
        if (now >= due && Interlocked.CompareExchange(ref nextReload, now + Ticks(ReloadInterval), due) == due) return Reload();
        return keys;
    }

    private KeySet Reload()
    {
        lock (reloadLock)
        {
            try
            {
                var content = File.ReadAllBytes(SigningKeyPath);
                if (!content.AsSpan().SequenceEqual(keys.FileContent)) keys = KeySet.Read(content, SigningKeyPath, configuredPrevious);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // A file being replaced in place or briefly unreadable: keep signing with the keys already known.
            }
            return keys;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private static void GenerateIfMissing(string path)
    {
        if (File.Exists(path)) return;
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
    }

    /// <summary>One reading of the key file: the signing key, then every key that verifies.</summary>
    private sealed record KeySet(byte[] FileContent, SigningCredentials Signing, IReadOnlyList<SecurityKey> Verification)
    {
        public static KeySet Read(byte[] content, string path, IReadOnlyList<SecurityKey> previous)
        {
            var fileKeys = SigningKeyPem.ReadAll(System.Text.Encoding.UTF8.GetString(content), path);
            var signing = fileKeys[0];
            if (!SigningKeyPem.HasPrivateKey(signing))
                throw new InvalidOperationException($"the first key in '{path}' must be a private key: it signs tokens");
            var algorithm = signing is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256;
            return new KeySet(content, new SigningCredentials(signing, algorithm), [.. fileKeys, .. previous]);
        }
    }
}
