using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Auth.Accounts;

/// <summary>
/// Adds audit entries to the caller's unit of work, so the entry commits with the write it describes
/// (one SaveChanges: both or neither). Never pass secrets as <c>detail</c>.
/// </summary>
public sealed class AuditLog(RegistryDbContext db, TimeProvider time)
{
    /// <summary>Records that <paramref name="actor"/> did <paramref name="action"/> to <paramref name="target"/>.</summary>
    public void Add(string actor, string? clientAddress, string action, string target, string? organization, string? detail = null) =>
        db.Set<AuditEntryEntity>().Add(new AuditEntryEntity
        {
            At = time.GetUtcNow().UtcDateTime, Actor = actor, ClientAddress = clientAddress,
            Action = action, Target = target, Organization = organization, Detail = detail,
        });
}
