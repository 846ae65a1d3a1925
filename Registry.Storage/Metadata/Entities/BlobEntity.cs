namespace Registry.Storage.Metadata.Entities;

/// <summary>A published blob: one row per digest for the whole registry (the bytes are stored once).</summary>
public sealed class BlobEntity
{
    public required string Digest { get; set; }
    public long Size { get; set; }
    public DateTime CreatedAt { get; set; }
}
