using System.Net.Http.Headers;
using System.Text;
using Registry.Oci;
using Registry.Tests.TestImages;

namespace Registry.Tests.Conformance;

/// <summary>skopeo copies images into the registry and back out: the bytes must survive exactly.</summary>
[Trait("Category", "Integration")]
public sealed class SkopeoRoundTripTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("skopeo-roundtrip-");

    public void Dispose() => _work.Delete(recursive: true);

    private string Dir(string name) => Path.Combine(_work.FullName, name);

    [Theory]
    [MemberData(nameof(RegistryUnderTest.All), MemberType = typeof(RegistryUnderTest))]
    public async Task CopiesAMultiLayerOciImageInAndBackWithIdenticalBytes(RegistryKind kind)
    {
        await using var registry = await RegistryUnderTest.StartAsync(kind);
        var image = ConformanceImages.MultiLayer();
        OciLayout.Write(Dir("source"), ("v1", image));

        // skopeo would gzip the uncompressed layer on its way (and so change the manifest) unless told not to.
        await Skopeo.CopyAsync($"oci:{Dir("source")}:v1", registry.Docker("org/app", "v1"), "--preserve-digests");
        await Skopeo.CopyAsync(registry.Docker("org/app", "v1"), $"oci:{Dir("back")}:v1", "--preserve-digests");

        Assert.Equal(image.Bytes, OciLayout.ReadManifest(Dir("back"), "v1"));
        foreach (var blob in image.AllBlobs())
            Assert.Equal(blob.Bytes, File.ReadAllBytes(OciLayout.BlobPath(Dir("back"), blob.Digest)));
        var (served, digest) = await GetManifestAsync(registry, "org/app", "v1", MediaTypes.OciManifest);
        Assert.Equal(image.Bytes, served);
        Assert.Equal(image.Digest.ToString(), digest);
    }

    [Theory]
    [MemberData(nameof(RegistryUnderTest.All), MemberType = typeof(RegistryUnderTest))]
    public async Task CopiesAsDockerSchema2AndServesTheBytesSkopeoWrote(RegistryKind kind)
    {
        await using var registry = await RegistryUnderTest.StartAsync(kind);
        // skopeo's oci: transport reads only OCI manifests, so it converts an OCI image with gzip layers.
        var image = ConformanceImages.MultiLayer(gzipOnly: true);
        OciLayout.Write(Dir("source"), ("v1", image));

        await Skopeo.CopyAsync($"oci:{Dir("source")}:v1", registry.Docker("org/app", "v2s2"), "--format", "v2s2");
        // The dir: transport keeps the manifest bytes exactly as the registry served them.
        await Skopeo.CopyAsync(registry.Docker("org/app", "v2s2"), $"dir:{Dir("pulled")}");

        var pulled = File.ReadAllBytes(Path.Combine(Dir("pulled"), "manifest.json"));
        var (served, digest) = await GetManifestAsync(registry, "org/app", "v2s2", MediaTypes.DockerManifest);
        Assert.Equal(pulled, served);
        Assert.Equal(Digest.Sha256Of(served).ToString(), digest);
        Assert.Contains($"\"{MediaTypes.DockerManifest}\"", Encoding.UTF8.GetString(served));
        foreach (var layer in image.Layers)
            Assert.Equal(layer.Bytes, File.ReadAllBytes(Path.Combine(Dir("pulled"), layer.Digest.Hex)));

        // Copied on as it is, the schema 2 manifest keeps its bytes and digest.
        await Skopeo.CopyAsync($"dir:{Dir("pulled")}", registry.Docker("org/copy", "v1"));
        var (copied, copiedDigest) = await GetManifestAsync(registry, "org/copy", "v1", MediaTypes.DockerManifest);
        Assert.Equal(served, copied);
        Assert.Equal(digest, copiedDigest);
    }

    [Theory]
    [MemberData(nameof(RegistryUnderTest.All), MemberType = typeof(RegistryUnderTest))]
    public async Task CopiesAMultiPlatformIndexWithAllItsImages(RegistryKind kind)
    {
        await using var registry = await RegistryUnderTest.StartAsync(kind);
        var amd64 = ConformanceImages.MultiLayer(message: "amd64");
        var arm64 = ImageBuilder.FromBusybox().Platform(new("linux", "arm64", "v8")).Cmd("/bin/true").Build();
        var index = new IndexBuilder().Add(amd64, Platform.LinuxAmd64).Add(arm64, new("linux", "arm64", "v8")).Build();
        OciLayout.Write(Dir("source"), ("multi", index));

        await Skopeo.CopyAsync($"oci:{Dir("source")}:multi", registry.Docker("org/multi", "v1"), "--all", "--preserve-digests");
        await Skopeo.CopyAsync(registry.Docker("org/multi", "v1"), $"oci:{Dir("back")}:v1", "--all", "--preserve-digests");

        Assert.Equal(index.Bytes, OciLayout.ReadManifest(Dir("back"), "v1"));
        foreach (var child in index.Children)
            Assert.Equal(child.Bytes, File.ReadAllBytes(OciLayout.BlobPath(Dir("back"), child.Digest)));
        var arm = await Skopeo.InspectAsync(registry.Docker("org/multi", "v1"), "--override-arch", "arm64");
        Assert.Equal("arm64", arm.GetProperty("Architecture").GetString());
    }

    private static async Task<(byte[] Bytes, string? Digest)> GetManifestAsync(RegistryUnderTest registry, string repository,
        string reference, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{reference}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        using var response = await registry.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync(),
            response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.Single() : null);
    }
}
