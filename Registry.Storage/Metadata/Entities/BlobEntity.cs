namespace Registry.Storage.Metadata.Entities;

/// <summary>A published blob: one row per digest for the whole registry (the bytes are stored once).</summary>
public sealed class BlobEntity
{
    public required string Digest { get; set; }
    public long Size { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>
    /// The last time something took or released a reference to the blob: an upload or mount linked it, a
    /// manifest push referenced it, a manifest delete dropped a reference. Garbage collection sweeps an
    /// unreferenced blob only when this is older than the grace period, and writers update it under the
    /// row lock that the sweep also takes (see GarbageCollection/BlobSweeper.cs).
    /// </summary>
    public DateTime LastReferencedAt { get; set; }
}
