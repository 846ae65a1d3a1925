namespace Registry.Storage.Metadata;

/// <summary>
/// Thrown by a manifest push when blobs or child manifests it references disappeared (garbage collection swept
/// them) between the missing-references check and the push's transaction; the API answers MANIFEST_BLOB_UNKNOWN.
/// </summary>
public sealed class MissingReferencesException(IReadOnlyList<string> digests)
    : Exception($"referenced content is gone: {string.Join(", ", digests)}")
{
    public IReadOnlyList<string> Digests { get; } = digests;
}
