using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Registry.Auth.Data;
using Registry.Storage.Configuration;
using Registry.Storage.Metadata;

namespace Registry.Migrations.Postgres;

/// <summary>Lets `dotnet ef` build the context for PostgreSQL when adding a migration (no database is opened).</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<RegistryDbContext>
{
    public RegistryDbContext CreateDbContext(string[] args)
    {
        var options = new RegistryStorageOptions
        {
            Database = new DatabaseOptions { Provider = DatabaseProviders.Postgres, ConnectionString = "Host=localhost;Database=registry_design_time" },
        };
        var builder = new DbContextOptionsBuilder<RegistryDbContext>();
        MetadataDatabase.Configure(builder, options);
        builder.Include([new AccountsModel()]);
        return new RegistryDbContext(builder.Options);
    }
}
