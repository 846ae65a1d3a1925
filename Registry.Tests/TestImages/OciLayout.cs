namespace Registry.Tests.TestImages;

/// <summary>
/// Writes images as an OCI image layout directory, the input of <c>skopeo copy oci:DIR:TAG …</c> and umoci.
/// Each tag is an <c>index.json</c> entry annotated with <c>org.opencontainers.image.ref.name</c>.
/// See: https://github.com/opencontainers/image-spec/blob/main/image-layout.md
/// </summary>
public static class OciLayout
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    public static void Write(string directory, params (string Tag, TestManifest Manifest)[] tagged)
    {
        var blobDirectory = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobDirectory);
        File.WriteAllText(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        foreach (var (_, manifest) in tagged) WriteBlobs(blobDirectory, manifest);
        var index = ImageJson.Write(writer =>
        {
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteStartArray("manifests");
            foreach (var (tag, manifest) in tagged)
                ImageJson.Descriptor(writer, manifest.Descriptor with { Annotations = new Dictionary<string, string> { [RefNameAnnotation] = tag } });
            writer.WriteEndArray();
        });
        File.WriteAllBytes(Path.Combine(directory, "index.json"), index);
    }

    /// <summary>Reads the manifest bytes a layout's tag points to (e.g. after <c>skopeo copy … oci:DIR:TAG</c>).</summary>
    public static byte[] ReadManifest(string directory, string tag)
    {
        using var index = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "index.json")));
        foreach (var entry in index.RootElement.GetProperty("manifests").EnumerateArray())
        {
            if (!entry.TryGetProperty("annotations", out var annotations)
                || !annotations.TryGetProperty(RefNameAnnotation, out var name) || name.GetString() != tag) continue;
            var digest = Registry.Oci.Digest.Parse(entry.GetProperty("digest").GetString()!);
            return File.ReadAllBytes(BlobPath(directory, digest));
        }
        throw new KeyNotFoundException($"no manifest tagged '{tag}' in {directory}/index.json");
    }

    public static string BlobPath(string directory, Registry.Oci.Digest digest) =>
        Path.Combine(directory, "blobs", digest.Algorithm, digest.Hex);

    private static void WriteBlobs(string blobDirectory, TestManifest manifest)
    {
        foreach (var child in manifest.Children) WriteBlobs(blobDirectory, child);
        foreach (var blob in manifest.Blobs) File.WriteAllBytes(Path.Combine(blobDirectory, blob.Digest.Hex), blob.Bytes);
        File.WriteAllBytes(Path.Combine(blobDirectory, manifest.Digest.Hex), manifest.Bytes);
    }
}
