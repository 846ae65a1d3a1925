namespace Registry.Storage.Metadata;

/// <summary>
/// Serializes metadata writes in this process when the database is SQLite, which has one writer at a
/// time and answers "database is locked" to a transaction that would wait on another. PostgreSQL
/// handles concurrent writers itself, so the gate is open there.
/// </summary>
public sealed class MetadataWriteGate(bool serialize)
{
    private readonly SemaphoreSlim semaphore = new(1, 1);

    /// <summary>Waits for the gate; dispose the result to release it.</summary>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (!serialize) return NoGate.Instance;
        await semaphore.WaitAsync(cancellationToken);
        return new Release(semaphore);
    }

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) semaphore.Release();
        }
    }

    private sealed class NoGate : IDisposable
    {
        public static readonly NoGate Instance = new();
        public void Dispose() { }
    }
}
