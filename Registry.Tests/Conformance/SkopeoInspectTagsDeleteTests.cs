using System.Net;
using Registry.Tests.TestImages;

namespace Registry.Tests.Conformance;

/// <summary>skopeo's read and delete commands against a pushed repository.</summary>
[Trait("Category", "Integration")]
public sealed class SkopeoInspectTagsDeleteTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("skopeo-inspect-");

    public void Dispose() => _work.Delete(recursive: true);

    [Theory]
    [MemberData(nameof(RegistryUnderTest.All), MemberType = typeof(RegistryUnderTest))]
    public async Task InspectsListsTagsAndDeletesByTagAndByDigest(RegistryKind kind)
    {
        await using var registry = await RegistryUnderTest.StartAsync(kind);
        var first = ConformanceImages.MultiLayer(message: "first");
        var second = ConformanceImages.MultiLayer(message: "second");
        var layout = Path.Combine(_work.FullName, "layout");
        OciLayout.Write(layout, ("first", first), ("second", second));
        foreach (var (source, tag) in new[] { ("first", "v1"), ("first", "latest"), ("second", "v2"), ("second", "2.0-rc_1") })
            await Skopeo.CopyAsync($"oci:{layout}:{source}", registry.Docker("org/team/app", tag), "--preserve-digests");

        var inspected = await Skopeo.InspectAsync(registry.Docker("org/team/app", "v1"));
        Assert.Equal(first.Digest.ToString(), inspected.GetProperty("Digest").GetString());
        Assert.Equal(first.Layers.Select(l => l.Digest.ToString()), inspected.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("GREETING=first", inspected.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        await AssertTagsAsync(registry, "2.0-rc_1", "latest", "v1", "v2");

        // skopeo delete resolves the tag and deletes the manifest by digest: every tag on it goes.
        await Skopeo.DeleteAsync(registry.Docker("org/team/app", "v2"));
        await AssertTagsAsync(registry, "latest", "v1");
        var gone = await Skopeo.TryRunAsync("inspect", "--tls-verify=false", registry.Docker("org/team/app", "v2"));
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("manifest unknown", gone.Stderr, StringComparison.OrdinalIgnoreCase);
        using var byDigest = await registry.Client.GetAsync($"v2/org/team/app/manifests/{second.Digest}");
        Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);

        await Skopeo.DeleteAsync(registry.Docker("org/team/app", first.Digest.ToString()));
        await AssertTagsAsync(registry);
        using var blob = await registry.Client.GetAsync($"v2/org/team/app/blobs/{first.Config.Digest}");
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
    }

    [Theory]
    [MemberData(nameof(RegistryUnderTest.All), MemberType = typeof(RegistryUnderTest))]
    public async Task InspectOfAnUnknownRepositoryOrTagFailsClearly(RegistryKind kind)
    {
        await using var registry = await RegistryUnderTest.StartAsync(kind);
        var image = ConformanceImages.Echo("x");
        await new RegistryPushClient(registry.Client).PushAsync("org/known", image, "v1");

        var unknownTag = await Skopeo.TryRunAsync("inspect", "--tls-verify=false", registry.Docker("org/known", "nope"));
        var unknownRepository = await Skopeo.TryRunAsync("inspect", "--tls-verify=false", registry.Docker("org/unknown", "v1"));

        Assert.NotEqual(0, unknownTag.ExitCode);
        Assert.Contains("manifest unknown", unknownTag.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(0, unknownRepository.ExitCode);
        Assert.Matches("(?i)manifest unknown|name unknown|repository name not known", unknownRepository.Stderr);
    }

    private static async Task AssertTagsAsync(RegistryUnderTest registry, params string[] expected)
    {
        var tags = await Skopeo.ListTagsAsync($"docker://{registry.HostPort}/org/team/app");
        Assert.Equal(expected, tags.Order(StringComparer.Ordinal));
        // Ours sorts the list (issue 2); distribution 2.8 returns its own order.
        if (registry.Kind != RegistryKind.ReferenceDistribution) Assert.Equal(expected, tags);
    }
}
