using Npgsql;

namespace Registry.Tests.Infrastructure;

/// <summary>Which metadata database a test server runs on.</summary>
public enum TestDatabase
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh PostgreSQL database on the server named by REGISTRY_TEST_POSTGRES (started by
/// scripts/services.sh), dropped again on dispose.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "REGISTRY_TEST_POSTGRES";

    private readonly string adminConnectionString;
    public string Name { get; }
    public string ConnectionString { get; }

    private PostgresTestDatabase(string adminConnectionString, string name)
    {
        this.adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>The server's connection string, or a failure telling how to start one (never a silent skip).</summary>
    public static string RequireServer() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: start the test services with `eval \"$(bash scripts/services.sh start)\"` (or run scripts/test.sh).");

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var admin = RequireServer();
        var database = new PostgresTestDatabase(admin, $"registry_test_{Guid.NewGuid():N}");
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        // This database's pool only: other tests' pools stay warm (DROP … WITH (FORCE) ends what is still open here).
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
