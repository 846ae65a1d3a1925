using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.Storage.Metadata;

/// <summary>
/// Sets SQLite's per-connection durability on every opened connection (the setting is not stored in the
/// file). With the write-ahead log, <c>synchronous=NORMAL</c> stops a commit from waiting for an fsync:
/// the database stays consistent after any crash, a process crash loses nothing, and only a power loss
/// or kernel crash can drop the last commits before the next checkpoint (see docs/REGISTRY.md).
/// </summary>
internal sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    // The setting lives on SQLite's own connection handle, which Microsoft.Data.Sqlite pools and reuses
    // across opens: EF Core opens a connection for every command, so it is applied once per handle, not
    // once per command. Synchronous on purpose: the pragma only sets a flag, it touches no page.
    private static readonly ConditionalWeakTable<object, object> Applied = new();

    private static void Apply(DbConnection connection)
    {
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Applied.TryGetValue(handle, out _)) return;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }
        if (handle is not null) Applied.AddOrUpdate(handle, Applied);
    }
}
