using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Registry.Auth.Data;
using Registry.Storage.Configuration;
using Registry.Storage.Metadata;

namespace Registry.Migrations.Sqlite;

/// <summary>Lets `dotnet ef` build the context for SQLite when adding a migration (no database is opened).</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<RegistryDbContext>
{
    public RegistryDbContext CreateDbContext(string[] args)
    {
        var options = new RegistryStorageOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), "registry-design-time"),
            Database = new DatabaseOptions { Provider = DatabaseProviders.Sqlite },
        };
        var builder = new DbContextOptionsBuilder<RegistryDbContext>();
        MetadataDatabase.Configure(builder, options);
        builder.Include([new AccountsModel()]);
        return new RegistryDbContext(builder.Options);
    }
}
