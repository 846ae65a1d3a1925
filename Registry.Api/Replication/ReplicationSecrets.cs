using Microsoft.AspNetCore.DataProtection;

namespace Registry.Api.Replication;

/// <summary>
/// Keeps replication passwords encrypted at rest with ASP.NET Core data protection (authenticated encryption, keys
/// rotated by the key ring) under <c>Registry:Replication:KeyDirectory</c>. The worker needs the plain password to
/// log in to the target, so it is encrypted, not hashed; a database dump alone does not reveal it.
/// </summary>
public sealed class ReplicationSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Registry.Replication.Password.v1");

    public string? Protect(string? password) => password is null ? null : protector.Protect(password);

    public string? Unprotect(string? protectedPassword) => protectedPassword is null ? null : protector.Unprotect(protectedPassword);
}
