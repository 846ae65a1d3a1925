using Registry.Oci;

namespace Registry.Tests.TestImages;

/// <summary>
/// Builds an OCI image index or a Docker manifest list over already built manifests.
/// See: https://github.com/opencontainers/image-spec/blob/main/image-index.md
/// </summary>
public sealed class IndexBuilder
{
    private readonly List<(TestManifest Manifest, Platform? Platform)> _entries = [];
    private readonly Dictionary<string, string> _annotations = [];
    private ImageFormat _format = ImageFormat.Oci;

    /// <summary>Adds a manifest, with the platform an index entry announces (none for nested indexes).</summary>
    public IndexBuilder Add(TestManifest manifest, Platform? platform = null)
    {
        _entries.Add((manifest, platform));
        return this;
    }

    public IndexBuilder Format(ImageFormat format) { _format = format; return this; }
    public IndexBuilder Annotation(string name, string value) { _annotations[name] = value; return this; }

    public TestIndex Build()
    {
        var mediaType = _format == ImageFormat.Oci ? MediaTypes.OciIndex : MediaTypes.DockerManifestList;
        var bytes = ImageJson.Write(writer =>
        {
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", mediaType);
            writer.WriteStartArray("manifests");
            foreach (var (manifest, platform) in _entries)
                ImageJson.Descriptor(writer, manifest.Descriptor with { Platform = platform });
            writer.WriteEndArray();
            if (_format == ImageFormat.Oci) ImageJson.Map(writer, "annotations", _annotations);
        });
        return new TestIndex(mediaType, bytes, _entries.Select(entry => entry.Manifest).ToList());
    }
}
