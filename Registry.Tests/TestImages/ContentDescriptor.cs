using Registry.Storage.Oci;

namespace Registry.Tests.TestImages;

/// <summary>An OCI content descriptor as the test builder writes it into manifests and indexes.</summary>
public sealed record ContentDescriptor(string MediaType, Digest Digest, long Size)
{
    public ImagePlatform? Platform { get; init; }
    public string? ArtifactType { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

/// <summary>The platform of an image: the config's os/architecture and an index entry's platform.</summary>
public sealed record ImagePlatform(string Os = "linux", string Architecture = "amd64", string? Variant = null)
{
    public static readonly ImagePlatform LinuxAmd64 = new();
}

/// <summary>A blob of an image (its config or a layer) with the media type it is referenced by.</summary>
public sealed record TestBlob(string MediaType, byte[] Bytes)
{
    public Digest Digest { get; } = Digest.Sha256Of(Bytes);
    public ContentDescriptor Descriptor => new(MediaType, Digest, Bytes.LongLength);
}

public enum ImageFormat
{
    /// <summary>OCI image manifest and index media types.</summary>
    Oci,
    /// <summary>Docker image manifest v2 schema 2 and Docker manifest list.</summary>
    Docker,
}
