using Registry.Oci;
using System.Runtime.Versioning;
using System.Text.Json;
using Registry.Tests.Conformance;

namespace Registry.Tests.TestImages;

/// <summary>The builder's output is checked by real tools: umoci unpacks it, skopeo reads it, distribution accepts pushes.</summary>
[SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class TestImageClientTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("test-images-");

    public void Dispose() => _work.Delete(recursive: true);

    private static TestImage LayeredImage() => ImageBuilder.FromBusybox()
        .Layer(l => l
            .File("app/keep.txt", "keep")
            .File("app/gone.txt", "gone")
            .File("var/lib/old/file", "old")
            .File("app/owned.txt", "mine", mode: UnixFileMode.UserRead | UnixFileMode.UserWrite, uid: 1000, gid: 1000))
        .Layer(l => l
            .Whiteout("app/gone.txt")
            .OpaqueDirectory("var/lib")
            .File("var/lib/new", "new")
            .Hardlink("app/keep-link.txt", "app/keep.txt")
            .CompressedWith(LayerCompression.None))
        .Env("GREETING", "hello").Entrypoint("/bin/sh", "-c").Cmd("echo $GREETING").WorkingDir("/app").User("1000:1000")
        .Build();

    [Fact]
    public async Task UmociUnpacksTheLayoutApplyingWhiteoutsAndOwnership()
    {
        var layout = Path.Combine(_work.FullName, "layout");
        OciLayout.Write(layout, ("v1", LayeredImage()));
        var bundle = Path.Combine(_work.FullName, "bundle");

        await ExternalTool.RunAsync("umoci", ["unpack", "--image", $"{layout}:v1", bundle]);

        var rootfs = Path.Combine(bundle, "rootfs");
        Assert.Equal("keep", File.ReadAllText(Path.Combine(rootfs, "app/keep.txt")));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(rootfs, "app/keep-link.txt")));
        Assert.False(File.Exists(Path.Combine(rootfs, "app/gone.txt")));
        Assert.False(Directory.Exists(Path.Combine(rootfs, "var/lib/old")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(rootfs, "var/lib/new")));
        Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(rootfs, "bin/sh")).LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(rootfs, "app/owned.txt")));
        var stat = await ExternalTool.RunAsync("stat", ["-c", "%u:%g", Path.Combine(rootfs, "app/owned.txt")]);
        Assert.Equal("1000:1000", stat.Trim());
        var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "config.json"))).RootElement.GetProperty("process");
        Assert.Equal("/app", runtimeConfig.GetProperty("cwd").GetString());
        Assert.Equal(["/bin/sh", "-c", "echo $GREETING"], runtimeConfig.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("GREETING=hello", runtimeConfig.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task SkopeoInspectsTheLayoutWithItsConfigAndLayers()
    {
        var image = LayeredImage();
        var layout = Path.Combine(_work.FullName, "layout");
        OciLayout.Write(layout, ("v1", image));

        var inspect = JsonDocument.Parse(await Skopeo.RunAsync("inspect", $"oci:{layout}:v1")).RootElement;

        Assert.Equal(image.Digest.ToString(), inspect.GetProperty("Digest").GetString());
        Assert.Equal(image.Layers.Select(l => l.Digest.ToString()), inspect.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("GREETING=hello", inspect.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData(ImageFormat.Oci, BlobUploadMode.PostThenPut)]
    [InlineData(ImageFormat.Docker, BlobUploadMode.PostThenPut)]
    public async Task PushClientPushesAnImageAndAnIndexThatSkopeoCanRead(ImageFormat format, BlobUploadMode mode)
    {
        await using var registry = await DistributionRegistry.StartAsync();
        using var http = new HttpClient { BaseAddress = registry.BaseAddress };
        var push = new RegistryPushClient(http) { UploadMode = mode };
        var amd64 = ImageBuilder.FromBusybox().Format(format).Cmd("/bin/true").Build();
        var arm64 = ImageBuilder.FromBusybox().Format(format).Platform(new("linux", "arm64", "v8")).Cmd("/bin/false").Build();
        var index = new IndexBuilder().Format(format).Add(amd64, Platform.LinuxAmd64).Add(arm64, new("linux", "arm64", "v8")).Build();

        await push.PushAsync("tests/app", amd64, "single");
        await push.PushAsync("tests/app", index, "multi");

        var single = await Skopeo.InspectAsync($"docker://{registry.HostPort}/tests/app:single");
        Assert.Equal(amd64.Digest.ToString(), single.GetProperty("Digest").GetString());
        var raw = await Skopeo.InspectRawAsync($"docker://{registry.HostPort}/tests/app:multi");
        Assert.Equal(System.Text.Encoding.UTF8.GetString(index.Bytes), raw.TrimEnd('\n'));
        var arm = await Skopeo.InspectAsync($"docker://{registry.HostPort}/tests/app:multi", "--override-arch", "arm64");
        // skopeo reports the digest it was pointed at (the index) and the config of the platform it resolved.
        Assert.Equal(index.Digest.ToString(), arm.GetProperty("Digest").GetString());
        Assert.Equal("arm64", arm.GetProperty("Architecture").GetString());
    }
}
