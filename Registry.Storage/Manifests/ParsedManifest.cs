using Registry.Oci;

namespace Registry.Storage.Manifests;

/// <summary>
/// What the registry needs to know about a pushed manifest: its media type, the blobs it uses
/// (config and layers, foreign ones included), the manifests it lists (index), and the subject and artifact type the referrers
/// API reports.
/// </summary>
public sealed record ParsedManifest(
    string MediaType,
    string? ArtifactType,
    Descriptor? Subject,
    IReadOnlyList<Descriptor> Blobs,
    IReadOnlyList<Descriptor> Manifests,
    IReadOnlyDictionary<string, string>? Annotations)
{
    /// <summary>Layers that may live outside the registry (<see cref="ForeignLayer"/>): referenced when present, never required.</summary>
    public IReadOnlyList<Descriptor> ForeignLayers { get; init; } = [];

    /// <summary>The blobs the repository must have before the manifest is accepted: every blob but the foreign layers.</summary>
    public IEnumerable<string> RequiredBlobDigests =>
        Blobs.Select(b => b.Digest).Except(ForeignLayers.Select(f => f.Digest)).Distinct();

    /// <summary>True for an OCI index or a Docker manifest list.</summary>
    public bool IsIndex => MediaTypes.IsIndex(MediaType);
}
