using System.Net;
using Registry.Tests.TestImages;

namespace Registry.Tests.Conformance;

/// <summary>What real clients do across repositories: cross-repository copies (blob mounts), single-POST uploads.</summary>
[Trait("Category", "Integration")]
public sealed class SkopeoRepositoryTests
{
    [Theory]
    [MemberData(nameof(RegistryUnderTest.All), MemberType = typeof(RegistryUnderTest))]
    public async Task CopiesBetweenRepositoriesOfOneRegistry(RegistryKind kind)
    {
        await using var registry = await RegistryUnderTest.StartAsync(kind);
        var image = ConformanceImages.MultiLayer(gzipOnly: true);
        await new RegistryPushClient(registry.Client).PushAsync("org/source", image, "v1");

        // skopeo mounts the blobs from the source repository (POST ?mount=&from=) instead of uploading them.
        await Skopeo.CopyAsync(registry.Docker("org/source", "v1"), registry.Docker("other/target", "v1"), "--preserve-digests");

        Assert.Equal(image.Digest.ToString(), (await Skopeo.InspectAsync(registry.Docker("other/target", "v1"))).GetProperty("Digest").GetString());
        foreach (var blob in image.AllBlobs())
        {
            using var response = await registry.Client.GetAsync($"v2/other/target/blobs/{blob.Digest}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(blob.Bytes, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Theory]
    [InlineData(RegistryKind.OursOnSqlite)]
    [InlineData(RegistryKind.OursOnPostgres)]
    public async Task AcceptsSingleRequestMonolithicUploads(RegistryKind kind)
    {
        // Distribution 2.8 predates OCI v1.1's single-POST upload, so only ours is asked.
        await using var registry = await RegistryUnderTest.StartAsync(kind);
        var image = ConformanceImages.MultiLayer();

        await new RegistryPushClient(registry.Client) { UploadMode = BlobUploadMode.SinglePost }.PushAsync("org/single", image, "v1");

        var inspected = await Skopeo.InspectAsync(registry.Docker("org/single", "v1"));
        Assert.Equal(image.Digest.ToString(), inspected.GetProperty("Digest").GetString());
    }
}
