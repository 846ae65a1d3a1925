using System.Text;
using Registry.Storage.Manifests;
using Registry.Oci;

namespace Registry.Tests.Core;

public sealed class ManifestParserTests
{
    private static readonly string D1 = $"sha256:{new string('1', 64)}";
    private static readonly string D2 = $"sha256:{new string('2', 64)}";

    [Fact]
    public void ImageManifestListsConfigAndLayersAsBlobsAndReportsConfigTypeAsArtifactType()
    {
        var json = $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{"mediaType":"application/vnd.example.config","digest":"{{D1}}","size":3},"layers":[{"mediaType":"{{MediaTypes.OciLayerGzip}}","digest":"{{D2}}","size":9}]}""";
        var parsed = ManifestParser.Parse(Encoding.UTF8.GetBytes(json), MediaTypes.OciManifest);
        Assert.Equal(MediaTypes.OciManifest, parsed.MediaType);
        Assert.Equal([D1, D2], parsed.Blobs.Select(b => b.Digest));
        Assert.Equal("application/vnd.example.config", parsed.ArtifactType);
        Assert.Null(parsed.Subject);
    }

    [Fact]
    public void IndexWithoutMediaTypeIsRecognisedByItsShape()
    {
        var json = $$"""{"schemaVersion":2,"manifests":[{"mediaType":"{{MediaTypes.OciManifest}}","digest":"{{D1}}","size":3}]}""";
        var parsed = ManifestParser.Parse(Encoding.UTF8.GetBytes(json), "application/octet-stream");
        Assert.True(parsed.IsIndex);
        Assert.Equal([D1], parsed.Manifests.Select(m => m.Digest));
    }

    [Fact]
    public void SubjectAndExplicitArtifactTypeAreRead()
    {
        var json = $$$"""{"schemaVersion":2,"artifactType":"application/x","config":{"mediaType":"{{{MediaTypes.OciEmpty}}}","digest":"{{{D1}}}","size":2},"layers":[],"subject":{"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{D2}}}","size":10}}""";
        var parsed = ManifestParser.Parse(Encoding.UTF8.GetBytes(json), MediaTypes.OciManifest);
        Assert.Equal("application/x", parsed.ArtifactType);
        Assert.Equal(D2, parsed.Subject!.Digest);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("""{"schemaVersion":1}""", "schemaVersion")]
    [InlineData("""{"schemaVersion":2,"mediaType":"text/plain","config":{},"layers":[]}""", "unsupported")]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}""", "config")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:00","size":1},"layers":[]}""", "digest")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":-1},"layers":[]}""", "size")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":1},"layers":{}}""", "array")]
    [InlineData("""{"schemaVersion":2}""", "media type")]
    public void MalformedManifestsAreRefusedWithAReason(string json, string reason)
    {
        var error = Assert.Throws<ManifestInvalidException>(() => ManifestParser.Parse(Encoding.UTF8.GetBytes(json), null));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void MediaTypeFieldMustAgreeWithContentType()
    {
        var json = $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{"mediaType":"a","digest":"{{D1}}","size":1},"layers":[]}""";
        Assert.Throws<ManifestInvalidException>(() => ManifestParser.Parse(Encoding.UTF8.GetBytes(json), MediaTypes.DockerManifest));
    }
}
