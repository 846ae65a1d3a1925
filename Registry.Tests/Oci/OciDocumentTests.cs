using System.Text;
using System.Text.Json;
using Registry.Oci;

namespace Registry.Tests.Oci;

/// <summary>The shared OCI documents: what kind a manifest is, and the bytes they serialize to.</summary>
public sealed class OciDocumentTests
{
    private const string D1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    [Theory]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""", null, MediaTypes.OciIndex)]
    [InlineData("""{"schemaVersion":2,"manifests":[]}""", null, MediaTypes.OciIndex)]
    [InlineData("""{"schemaVersion":2,"config":{},"layers":[]}""", null, MediaTypes.OciManifest)]
    [InlineData("""{"schemaVersion":2,"config":{},"layers":[]}""", MediaTypes.DockerManifest + "; charset=utf-8", MediaTypes.DockerManifest)]
    [InlineData("""{"annotations":{"mediaType":"x"},"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"}""", MediaTypes.OciManifest, MediaTypes.DockerManifestList)]
    [InlineData("""{"schemaVersion":2,"layers":[]}""", "application/json", MediaTypes.OciManifest)]
    public void DetectsTheManifestKind(string json, string? contentType, string expected) =>
        Assert.Equal(expected, ManifestMediaType.Detect(Encoding.UTF8.GetBytes(json), contentType));

    [Fact]
    public void RefusesANonObject() =>
        Assert.ThrowsAny<JsonException>(() => ManifestMediaType.Detect("[1]"u8, MediaTypes.OciManifest));

    [Fact]
    public void ManifestsSerializeInSpecOrderWithPlusSignsUnescaped()
    {
        var manifest = new ImageManifest(2, MediaTypes.OciManifest, new Descriptor(MediaTypes.OciConfig, D1, 3),
                                         [new Descriptor(MediaTypes.OciLayerGzip, D1, 9)]);
        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Relaxed.ImageManifest));
        Assert.Equal($$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{D1}}","size":3},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{D1}}","size":9}]}""", json);
    }

    [Fact]
    public void IndexEntriesCarryTheirPlatform()
    {
        var json = $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{D1}}}","size":7,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}""";
        var index = JsonSerializer.Deserialize(json, OciJsonContext.Default.ImageIndex)!;
        Assert.Equal(new Platform("linux", "arm64", "v8"), Assert.Single(index.Manifests).Platform);
    }

    [Fact]
    public void AnImageConfigWithoutRuntimePartsReadsAsTheSpecDefaults()
    {
        var config = JsonSerializer.Deserialize("""{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":["x"]}}""", OciJsonContext.Default.ImageConfig)!;
        Assert.Equal("arm64", config.Architecture);
        Assert.Null(config.Config.Cmd);
        Assert.Equal(["x"], config.RootFs.DiffIds);
        Assert.Empty(config.History);
    }
}
