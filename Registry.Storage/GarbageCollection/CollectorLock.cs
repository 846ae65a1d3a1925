using Npgsql;
using Registry.Storage.Configuration;

namespace Registry.Storage.GarbageCollection;

/// <summary>
/// Lets one collection run at a time: across replicas through a PostgreSQL session advisory lock (released
/// by the server if the holder dies), within the process for SQLite, which is single-process anyway.
/// </summary>
public sealed class CollectorLock(RegistryStorageOptions options)
{
    // Any constant shared by every replica; the bytes spell "REGISTGC".
    private const long AdvisoryKey = 0x5245_4749_5354_4743;

    private readonly SemaphoreSlim local = new(1, 1);

    /// <summary>The lock, held until disposed; null when another collection holds it.</summary>
    public async Task<IAsyncDisposable?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        if (!await local.WaitAsync(0, cancellationToken)) return null;
        if (options.Database.NormalizedProvider != DatabaseProviders.Postgres) return new LocalHold(local, null);
        // Unpooled: closing the physical session is what releases the lock, whatever happened meanwhile.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.Database.ConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({AdvisoryKey})", connection);
            if (await command.ExecuteScalarAsync(cancellationToken) is true) return new LocalHold(local, connection);
        }
        catch
        {
            await connection.DisposeAsync();
            local.Release();
            throw;
        }
        await connection.DisposeAsync();
        local.Release();
        return null;
    }

    private sealed class LocalHold(SemaphoreSlim local, NpgsqlConnection? connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (connection is not null) await connection.DisposeAsync();
            local.Release();
        }
    }
}
