using Registry.Oci;

namespace Registry.Storage.Manifests;

/// <summary>
/// What the registry needs to know about a pushed manifest: its media type, the blobs it uses
/// (config and layers), the manifests it lists (index), and the subject and artifact type the referrers
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
    /// <summary>True for an OCI index or a Docker manifest list.</summary>
    public bool IsIndex => MediaTypes.IsIndex(MediaType);
}
