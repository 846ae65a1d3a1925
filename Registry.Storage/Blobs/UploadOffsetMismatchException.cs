namespace Registry.Storage.Blobs;

/// <summary>
/// Thrown by <see cref="IBlobStore.AppendUploadAsync"/> when the staged bytes do not end where the caller
/// said they do (an out-of-order chunk, or two writers on one session); the API answers 416.
/// </summary>
public sealed class UploadOffsetMismatchException(string uploadId, long expected, long actual)
    : Exception($"upload {uploadId} holds {actual} bytes, not {expected}")
{
    public long Expected { get; } = expected;
    public long Actual { get; } = actual;
}

/// <summary>Thrown when an upload has no staging area (never begun, cancelled or finished).</summary>
public sealed class UploadNotFoundException(string uploadId) : Exception($"upload {uploadId} not found");
