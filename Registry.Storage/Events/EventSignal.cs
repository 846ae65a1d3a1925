using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Registry.Storage.Events;

/// <summary>
/// Wakes in-process waiters (feed long-polls, the delivery worker) when a transaction that wrote events commits.
/// Only this replica's commits pulse it; waiters also poll for other replicas' events.
/// </summary>
public sealed class EventSignal
{
    private TaskCompletionSource next = NewSource();

    /// <summary>Wakes everyone waiting now.</summary>
    public void Pulse() => Interlocked.Exchange(ref next, NewSource()).TrySetResult();

    /// <summary>
    /// The next pulse. Take it BEFORE looking for new events and wait on it after finding none, so a commit
    /// in between is not missed.
    /// </summary>
    public Task NextPulse => Volatile.Read(ref next).Task;

    /// <summary>Completes at <paramref name="pulse"/> or after <paramref name="timeout"/>, whichever comes first.</summary>
    public static async Task WaitAsync(Task pulse, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await pulse.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException) { }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Pulses the <see cref="EventSignal"/> after a commit of a transaction that wrote events.</summary>
public sealed class EventCommitInterceptor(EventSignal signal) : DbTransactionInterceptor
{
    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context && EventOutbox.TakeWritten(context)) signal.Pulse();
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context) EventOutbox.TakeWritten(context);
    }

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }
}
