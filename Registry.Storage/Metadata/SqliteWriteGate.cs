using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.Storage.Metadata;

/// <summary>
/// SQLite's single-writer rule, kept in one place. SQLite lets one connection write at a time; the others get "busy"
/// and Microsoft.Data.Sqlite retries them by sleeping 150 ms on a blocked thread. This interceptor queues the
/// process's writers on an async semaphore instead: a transaction holds it from BEGIN until it commits, rolls back,
/// fails or its connection closes (a transaction disposed without either), and a write outside a transaction
/// (ExecuteUpdate/ExecuteDelete, raw INSERT, a one-statement SaveChanges) holds it for that one command. Reads never
/// wait: WAL lets them run beside the writer. Added for SQLite only (<see cref="MetadataDatabase.Configure"/>):
/// PostgreSQL takes concurrent writers and its row locks order them.
/// </summary>
public sealed class SqliteWriteGate : IDbTransactionInterceptor, IDbCommandInterceptor, IDbConnectionInterceptor
{
    // As long as Microsoft.Data.Sqlite's own busy timeout: a writer queued longer is a bug (a held gate), not load.
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim semaphore = new(1, 1);
    private readonly ConcurrentDictionary<DbConnection, byte> transactions = new();
    private readonly ConcurrentDictionary<DbCommand, byte> loneWrites = new();

    // Transactions: held from BEGIN to the end, whichever way it ends.
    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection,
        TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(cancellationToken);
        transactions[connection] = 0;
        return result;
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result)
    {
        Enter();
        transactions[connection] = 0;
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => EndTransaction(ConnectionOf(transaction, eventData));
    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        EndTransactionAsync(ConnectionOf(transaction, eventData));
    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => EndTransaction(ConnectionOf(transaction, eventData));
    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        EndTransactionAsync(ConnectionOf(transaction, eventData));
    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => EndTransaction(ConnectionOf(transaction, eventData));
    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default) =>
        EndTransactionAsync(ConnectionOf(transaction, eventData));
    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        EndTransaction(connection);
        return result;
    }
    public async ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        await EndTransactionAsync(connection);
        return result;
    }

    // Writes outside a transaction: held for the one command (a reader's until it is disposed: RETURNING rows).
    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await EnterForAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        EnterFor(command);
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await EnterForAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        EnterFor(command);
        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        LeaveFor(command);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        LeaveFor(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        LeaveFor(command);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => LeaveFor(command);
    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        LeaveFor(command);
        return Task.CompletedTask;
    }
    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => LeaveFor(command);
    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        LeaveFor(command);
        return Task.CompletedTask;
    }

    /// <summary>A statement that writes and runs in no transaction of its own connection (which would hold the gate already).</summary>
    internal static bool IsLoneWrite(DbCommand command) => command.Transaction is null && IsWrite(command.CommandText);

    internal static bool IsWrite(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        while (text.StartsWith("--"))
        {
            var end = text.IndexOf('\n');
            text = end < 0 ? [] : text[(end + 1)..].TrimStart();
        }
        return text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase);
    }

    private async Task EnterForAsync(DbCommand command, CancellationToken cancellationToken)
    {
        if (!IsLoneWrite(command)) return;
        await EnterAsync(cancellationToken);
        loneWrites[command] = 0;
    }

    private void EnterFor(DbCommand command)
    {
        if (!IsLoneWrite(command)) return;
        Enter();
        loneWrites[command] = 0;
    }

    private void LeaveFor(DbCommand command)
    {
        if (loneWrites.TryRemove(command, out _)) semaphore.Release();
    }

    // After a commit the transaction forgets its connection; the context still knows it.
    private static DbConnection? ConnectionOf(DbTransaction transaction, DbContextEventData eventData) =>
        eventData.Context?.Database.GetDbConnection() ?? transaction.Connection;

    private void EndTransaction(DbConnection? connection)
    {
        if (connection is not null && transactions.TryRemove(connection, out _)) semaphore.Release();
    }

    private Task EndTransactionAsync(DbConnection? connection)
    {
        EndTransaction(connection);
        return Task.CompletedTask;
    }

    private async Task EnterAsync(CancellationToken cancellationToken)
    {
        if (!await semaphore.WaitAsync(MaxWait, cancellationToken)) throw TimedOut();
    }

    private void Enter()
    {
        if (!semaphore.Wait(MaxWait)) throw TimedOut();
    }

    private static TimeoutException TimedOut() =>
        new($"waited {MaxWait.TotalSeconds:0} s for SQLite's single writer; a write transaction was left open");
}
