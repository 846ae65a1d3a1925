using Registry.Oci;

namespace Registry.Tests.TestImages;

/// <summary>A blob of an image (its config or a layer) with the media type it is referenced by.</summary>
public sealed record TestBlob(string MediaType, byte[] Bytes)
{
    public Digest Digest { get; } = Digest.Sha256Of(Bytes);
    public Descriptor Descriptor => new(MediaType, Digest.ToString(), Bytes.LongLength);
}

public enum ImageFormat
{
    /// <summary>OCI image manifest and index media types.</summary>
    Oci,
    /// <summary>Docker image manifest v2 schema 2 and Docker manifest list.</summary>
    Docker,
}
