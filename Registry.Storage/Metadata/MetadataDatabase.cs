using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Configuration;

namespace Registry.Storage.Metadata;

/// <summary>Configures the metadata database for the chosen provider and prepares it at start.</summary>
public static class MetadataDatabase
{
    /// <summary>The assemblies holding each provider's migration history (see migrations/README.md).</summary>
    public const string SqliteMigrationsAssembly = "Registry.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Registry.Migrations.Postgres";

    private static readonly SqlitePragmaInterceptor SqlitePragma = new();

    /// <summary>
    /// Points <paramref name="db"/> at the configured provider and its migrations. On SQLite, <paramref name="writeGate"/>
    /// (one per process and database) queues writers; design-time tools pass none.
    /// </summary>
    public static void Configure(DbContextOptionsBuilder db, RegistryStorageOptions options, SqliteWriteGate? writeGate = null)
    {
        if (options.Database.NormalizedProvider == DatabaseProviders.Postgres)
            db.UseNpgsql(options.Database.ConnectionString, o => o.MigrationsAssembly(PostgresMigrationsAssembly));
        else
        {
            db.UseSqlite(SqliteConnectionString(options), o => o.MigrationsAssembly(SqliteMigrationsAssembly)).AddInterceptors(SqlitePragma);
            if (writeGate is not null) db.AddInterceptors(writeGate);
        }
    }

    /// <summary>The SQLite connection string: the configured one, or a file under the data directory.</summary>
    public static string SqliteConnectionString(RegistryStorageOptions options)
    {
        var builder = string.IsNullOrWhiteSpace(options.Database.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(options.DataDirectoryFullPath, "registry.db") }
            : new SqliteConnectionStringBuilder(options.Database.ConnectionString);
        builder.DefaultTimeout = 60;
        return builder.ToString();
    }

    /// <summary>Applies pending migrations when configured, and turns on SQLite's write-ahead log.</summary>
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<RegistryStorageOptions>();
        Directory.CreateDirectory(options.DataDirectoryFullPath);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        if (db.Database.IsSqlite())
        {
            // WAL lets readers run while one writer commits; the setting is stored in the file.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await db.Database.CloseConnectionAsync();
        }
        if (options.Database.Migrate) await db.Database.MigrateAsync(cancellationToken);
    }
}
