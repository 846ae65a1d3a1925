using Registry.Oci;
using Registry.Tests.TestImages;

namespace Registry.Tests.Conformance;

/// <summary>podman pulls an image from the registry and runs it, then pushes its own copy back.</summary>
[Trait("Category", "Integration")]
public sealed class PodmanPushPullTests
{
    [Theory]
    [MemberData(nameof(RegistryUnderTest.All), MemberType = typeof(RegistryUnderTest))]
    public async Task PullsRunsAndPushesBack(RegistryKind kind)
    {
        await using var registry = await RegistryUnderTest.StartAsync(kind);
        using var podman = new PodmanSandbox();
        var image = ConformanceImages.Echo("hello from podman", ImageFormat.Docker);
        await new RegistryPushClient(registry.Client).PushAsync("org/echo", image, "v1");
        var pulled = $"{registry.HostPort}/org/echo:v1";

        await podman.RunAsync("pull", "--tls-verify=false", pulled);
        var output = await podman.RunAsync("run", "--rm", "--network", "none", pulled);
        Assert.Equal("hello from podman", output.Trim());

        // podman recompresses the layers from its store, so its push uploads new blobs and a new manifest.
        var pushed = $"{registry.HostPort}/org/echo-copy:v2";
        await podman.RunAsync("tag", pulled, pushed);
        await podman.RunAsync("push", "--tls-verify=false", pushed);
        await podman.RunAsync("rmi", "--all", "--force");
        await podman.RunAsync("pull", "--tls-verify=false", pushed);
        Assert.Equal("hello from podman", (await podman.RunAsync("run", "--rm", "--network", "none", pushed)).Trim());

        var inspected = await Skopeo.InspectAsync(registry.Docker("org/echo-copy", "v2"));
        Assert.Equal(image.Layers.Count, inspected.GetProperty("Layers").GetArrayLength());
        var raw = await Skopeo.InspectRawAsync(registry.Docker("org/echo-copy", "v2"));
        Assert.Equal(inspected.GetProperty("Digest").GetString(), Digest.Sha256Of(System.Text.Encoding.UTF8.GetBytes(raw.TrimEnd('\n'))).ToString());
    }

    [Theory]
    [InlineData(RegistryKind.OursOnSqlite)]
    [InlineData(RegistryKind.OursOnPostgres)]
    public async Task PullsTheAmd64ImageOfAnIndex(RegistryKind kind)
    {
        await using var registry = await RegistryUnderTest.StartAsync(kind);
        using var podman = new PodmanSandbox();
        var amd64 = ConformanceImages.Echo("amd64 picked");
        var arm64 = ImageBuilder.FromBusybox().Platform(new("linux", "arm64", "v8")).Layer(l => l.File("message.txt", "arm64"))
            .Cmd("/bin/cat", "/message.txt").Build();
        var index = new IndexBuilder().Add(arm64, new("linux", "arm64", "v8")).Add(amd64, Platform.LinuxAmd64).Build();
        await new RegistryPushClient(registry.Client).PushAsync("org/multi", index, "v1");

        var output = await podman.RunAsync("run", "--rm", "--network", "none", "--tls-verify=false", $"{registry.HostPort}/org/multi:v1");

        Assert.Equal("amd64 picked", output.Trim());
    }
}
