using Microsoft.EntityFrameworkCore;
using Registry.Storage.Metadata;

namespace Registry.Auth.Data;

/// <summary>
/// The accounts' part of the metadata model (users, organizations and members, teams, grants, robots, personal tokens,
/// repository settings, the audit log): every <see cref="IEntityTypeConfiguration{TEntity}"/> of this assembly, applied
/// to <see cref="RegistryDbContext"/>. The tables exist whether auth is on or off (one schema, one migration history),
/// so every builder of the context includes it: the host (<c>AddAccountsModel</c>) and the design-time factories of migrations/.
/// </summary>
public sealed class AccountsModel : IMetadataModelContribution
{
    public void Configure(ModelBuilder modelBuilder) => modelBuilder.ApplyConfigurationsFromAssembly(typeof(AccountsModel).Assembly);
}
