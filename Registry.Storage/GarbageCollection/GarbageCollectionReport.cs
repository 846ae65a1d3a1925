namespace Registry.Storage.GarbageCollection;

/// <summary>What one collection deleted, or with <see cref="DryRun"/> what it would delete.</summary>
/// <param name="DryRun">true when nothing was deleted</param>
/// <param name="StartedAt">when the collection started (UTC); the grace period counts back from here</param>
/// <param name="FinishedAt">when it finished (UTC)</param>
/// <param name="Manifests">deleted manifests as <c>repository@digest</c> (only with DeleteUntaggedManifests)</param>
/// <param name="Blobs">deleted blob digests</param>
/// <param name="Uploads">purged upload session ids, and ids of staging removed because its session row was gone</param>
/// <param name="BytesFreed">blob bytes plus staged upload bytes removed from the store</param>
/// <param name="BlobsKept">candidates a concurrent push touched between mark and sweep (kept)</param>
public sealed record GarbageCollectionReport(
    bool DryRun,
    DateTime StartedAt,
    DateTime FinishedAt,
    IReadOnlyList<string> Manifests,
    IReadOnlyList<string> Blobs,
    IReadOnlyList<string> Uploads,
    long BytesFreed,
    int BlobsKept);
