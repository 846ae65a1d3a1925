namespace Registry.Storage.Metadata.Entities;

/// <summary>An edge from a manifest to a blob (config, layer) or to a child manifest (index entry).</summary>
public sealed class ManifestReferenceEntity
{
    public long ManifestId { get; set; }
    public required string Digest { get; set; }
    public ManifestReferenceKind Kind { get; set; }
}

/// <summary>What a manifest reference points at.</summary>
public enum ManifestReferenceKind
{
    Blob = 1,
    Manifest = 2,
}
