using Microsoft.AspNetCore.DataProtection;

namespace Registry.Api.Secrets;

/// <summary>What a stored secret is for; each kind has its own data protection purpose, so one kind's ciphertext never
/// decrypts as another's.</summary>
public enum SecretKind
{
    /// <summary>The password replication presents to a target registry.</summary>
    ReplicationPassword,
    /// <summary>The HMAC key that signs a webhook's deliveries.</summary>
    WebhookSecret,
}

/// <summary>
/// The one way secrets the registry must use again (not just verify) are kept in the database: encrypted with ASP.NET
/// Core data protection (authenticated encryption, a rotating key ring under <c>Registry:DataProtection:KeyDirectory</c>)
/// and stored as <c>protected:</c> + the payload. The marker tells a protected value from one written in clear before
/// secrets were protected (<see cref="StoredSecretsUpgrade"/> protects those at start; <see cref="Reveal"/> accepts them).
/// </summary>
public sealed class SecretsAtRest(IDataProtectionProvider provider)
{
    public const string Marker = "protected:";

    // The replication purpose is the one its passwords were protected with before this class existed.
    private readonly IDataProtector replication = provider.CreateProtector("Registry.Replication.Password.v1");
    private readonly IDataProtector webhooks = provider.CreateProtector("Registry.Events.WebhookSecret.v1");

    public static bool IsProtected(string stored) => stored.StartsWith(Marker, StringComparison.Ordinal);

    public string Protect(SecretKind kind, string secret) => Marker + ProtectorFor(kind).Protect(secret);

    /// <summary>The secret itself. A <see cref="System.Security.Cryptography.CryptographicException"/> when this replica
    /// does not have the key that protected it (key directories not shared, or lost).</summary>
    public string Reveal(SecretKind kind, string stored) => IsProtected(stored) ? ProtectorFor(kind).Unprotect(stored[Marker.Length..]) : stored;

    private IDataProtector ProtectorFor(SecretKind kind) => kind switch
    {
        SecretKind.ReplicationPassword => replication,
        SecretKind.WebhookSecret => webhooks,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
