using System.Data.Common;
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

    // Synchronous on purpose: the pragma only sets a flag on the connection, it touches no page.
    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }
}
