using Registry.Oci;

namespace Registry.Tests.TestImages;

/// <summary>
/// A built manifest (an image or an index) with the exact bytes to push and everything it refers to.
/// Push <see cref="Children"/> and <see cref="Blobs"/> first, then the manifest bytes.
/// </summary>
public abstract class TestManifest(string mediaType, byte[] bytes)
{
    public string MediaType { get; } = mediaType;
    public byte[] Bytes { get; } = bytes;
    public Digest Digest { get; } = Digest.Sha256Of(bytes);
    public Descriptor Descriptor => new(MediaType, Digest.ToString(), Bytes.LongLength);

    /// <summary>Blobs this manifest references directly (config and layers).</summary>
    public abstract IReadOnlyList<TestBlob> Blobs { get; }

    /// <summary>Manifests this one references (an index's entries).</summary>
    public abstract IReadOnlyList<TestManifest> Children { get; }

    /// <summary>Every blob reachable from this manifest, children included, each once.</summary>
    public IEnumerable<TestBlob> AllBlobs() =>
        Children.SelectMany(child => child.AllBlobs()).Concat(Blobs).DistinctBy(blob => blob.Digest);
}

/// <summary>A single-platform image: config, layers and manifest.</summary>
public sealed class TestImage(string mediaType, byte[] bytes, TestBlob config, IReadOnlyList<BuiltLayer> layers,
    IReadOnlyList<TestBlob> layerBlobs) : TestManifest(mediaType, bytes)
{
    public TestBlob Config { get; } = config;

    /// <summary>The layers with their diff_ids and compression, bottom first.</summary>
    public IReadOnlyList<BuiltLayer> Layers { get; } = layers;

    public override IReadOnlyList<TestBlob> Blobs { get; } = [config, .. layerBlobs];
    public override IReadOnlyList<TestManifest> Children => [];
}

/// <summary>An OCI image index or Docker manifest list.</summary>
public sealed class TestIndex(string mediaType, byte[] bytes, IReadOnlyList<TestManifest> children)
    : TestManifest(mediaType, bytes)
{
    public override IReadOnlyList<TestBlob> Blobs => [];
    public override IReadOnlyList<TestManifest> Children { get; } = children;
}
