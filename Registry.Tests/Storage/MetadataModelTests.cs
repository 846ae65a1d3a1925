using Microsoft.EntityFrameworkCore;
using Registry.Auth.Data;
using Registry.Storage.Configuration;
using Registry.Storage.Metadata;

namespace Registry.Tests.Storage;

/// <summary>
/// The metadata model is Storage's entities plus the accounts Registry.Auth contributes (<see cref="AccountsModel"/>):
/// both providers' design-time contexts, which `dotnet ef` builds migrations from, match their snapshots exactly, and a
/// context built without the contribution gets a model of its own, never one cached for the other.
/// </summary>
public sealed class MetadataModelTests
{
    [Fact]
    public void BothProvidersDesignTimeModelsHaveTheAccountsAndNoPendingChanges()
    {
        using var sqlite = new Registry.Migrations.Sqlite.DesignTimeDbContextFactory().CreateDbContext([]);
        using var postgres = new Registry.Migrations.Postgres.DesignTimeDbContextFactory().CreateDbContext([]);
        foreach (var db in new[] { sqlite, postgres })
        {
            Assert.Equal("users", db.Model.FindEntityType(typeof(UserEntity))?.GetTableName());
            Assert.Equal("audit_entries", db.Model.FindEntityType(typeof(AuditEntryEntity))?.GetTableName());
            Assert.False(db.Database.HasPendingModelChanges(), $"{db.Database.ProviderName}: the model differs from the migrations snapshot");
        }
    }

    [Fact]
    public void AContextWithoutTheAccountsModelNeverSharesACachedModelWithOneWithIt()
    {
        using var with = Sqlite(withAccounts: true);
        Assert.NotNull(with.Model.FindEntityType(typeof(OrganizationEntity)));
        using var without = Sqlite(withAccounts: false);
        Assert.Null(without.Model.FindEntityType(typeof(OrganizationEntity)));
        Assert.NotNull(without.Model.FindEntityType(typeof(Registry.Storage.Metadata.Entities.RepositoryEntity)));
        Assert.True(without.Database.HasPendingModelChanges()); // the migrations create the account tables: it must not be used
        using var again = Sqlite(withAccounts: true);
        Assert.NotNull(again.Model.FindEntityType(typeof(OrganizationEntity)));
    }

    private static RegistryDbContext Sqlite(bool withAccounts)
    {
        var options = new RegistryStorageOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), "registry-model-test"),
            Database = new DatabaseOptions { Provider = DatabaseProviders.Sqlite },
        };
        var builder = new DbContextOptionsBuilder<RegistryDbContext>();
        MetadataDatabase.Configure(builder, options);
        if (withAccounts) builder.Include([new AccountsModel()]);
        return new RegistryDbContext(builder.Options);
    }
}
