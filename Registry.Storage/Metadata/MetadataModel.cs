using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.Storage.Metadata;

/// <summary>
/// A part of the metadata model defined outside this assembly: the accounts (users, organizations, teams, robots, tokens,
/// audit) live in Registry.Auth, which references Storage, so Storage cannot name them. A contribution configures its
/// entities on the one <see cref="RegistryDbContext"/>, whose tables share one database and one migration history.
/// </summary>
public interface IMetadataModelContribution
{
    /// <summary>Configures the contribution's entities (one <see cref="IEntityTypeConfiguration{TEntity}"/> each, as Storage's own).</summary>
    void Configure(ModelBuilder modelBuilder);
}

/// <summary>Carries the model contributions in the context's options (<see cref="MetadataModel.Include"/>).</summary>
public static class MetadataModel
{
    /// <summary>
    /// Adds <paramref name="contributions"/> to the model of contexts built from <paramref name="db"/>. Everything that
    /// builds a <see cref="RegistryDbContext"/> (the host's pool, the design-time factories of migrations/) passes the
    /// same ones, so the model, and so the migrations, are one.
    /// </summary>
    public static DbContextOptionsBuilder Include(this DbContextOptionsBuilder db, IEnumerable<IMetadataModelContribution> contributions)
    {
        var existing = db.Options.FindExtension<ContributionsExtension>()?.Contributions ?? [];
        ((IDbContextOptionsBuilderInfrastructure)db).AddOrUpdateExtension(new ContributionsExtension([.. existing, .. contributions]));
        return db;
    }

    internal static IReadOnlyList<IMetadataModelContribution> Of(IDbContextOptions options) =>
        options.FindExtension<ContributionsExtension>()?.Contributions ?? [];

    /// <summary>
    /// An options extension (not a service) so that EF keys its internal service provider, and so its model cache, on the
    /// contributions: a context built without them never shares a cached model with one built with them.
    /// </summary>
    private sealed class ContributionsExtension(IReadOnlyList<IMetadataModelContribution> contributions) : IDbContextOptionsExtension
    {
        public IReadOnlyList<IMetadataModelContribution> Contributions { get; } = contributions;
        public DbContextOptionsExtensionInfo Info => field ??= new ExtensionInfo(this);
        public void ApplyServices(IServiceCollection services) { }
        public void Validate(IDbContextOptions options) { }

        private sealed class ExtensionInfo(ContributionsExtension extension) : DbContextOptionsExtensionInfo(extension)
        {
            private ContributionsExtension Contributions => (ContributionsExtension)Extension;
            public override bool IsDatabaseProvider => false;
            public override string LogFragment => $"MetadataModel={string.Join('+', Names)} ";
            private IEnumerable<string> Names => Contributions.Contributions.Select(c => c.GetType().FullName!);

            public override int GetServiceProviderHashCode() =>
                Names.Aggregate(17, (hash, name) => HashCode.Combine(hash, name));

            public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) =>
                other is ExtensionInfo info && Names.SequenceEqual(info.Names);

            public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) =>
                debugInfo["MetadataModel:Contributions"] = string.Join('+', Names);
        }
    }
}
