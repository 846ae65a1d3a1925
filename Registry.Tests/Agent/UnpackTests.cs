using System.Formats.Tar;
using System.Text;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>Layer unpacking through a real pull: what a rootfs needs is kept, whiteouts converted, hostile layers refused.</summary>
[Trait("Category", "Integration")]
public sealed class UnpackTests(AgentRegistryFixture registry) : IClassFixture<AgentRegistryFixture>
{
    private static readonly DateTimeOffset Past = new(2020, 2, 3, 4, 5, 6, TimeSpan.Zero);

    [Fact]
    public async Task KeepsOwnersModesSetuidTimesLinksXattrsAndDevices()
    {
        const UnixFileMode setuidExecutable = (UnixFileMode)0b100_111_101_101; // 04755
        var image = new ImageBuilder().Layer(l => l
            .Directory("opt", uid: 7, gid: 8, modified: Past)
            .File("opt/tool", "#!/bin/sh\n", setuidExecutable, uid: 1000, gid: 1001, modified: Past)
            .Symlink("opt/tool-link", "/opt/tool")
            .Hardlink("opt/tool-hard", "opt/tool")
            .Raw(new TarItem(TarEntryType.CharacterDevice, "opt/null", Mode: TarItem.DefaultFileMode, DeviceMajor: 1, DeviceMinor: 3))
            .Raw(new TarItem(TarEntryType.Fifo, "opt/pipe"))
            .Raw(new TarItem(TarEntryType.RegularFile, "opt/tagged", Content: () => new MemoryStream("x"u8.ToArray()),
                             PaxAttributes: new Dictionary<string, string> { ["SCHILY.xattr.user.origin"] = "test-layer" }))).Build();
        var reference = await registry.PushAsync(image);
        using var root = new AgentRoot();

        await root.RunOkAsync("pull", reference);

        var layer = root.LayerPath(image.Layers[0].DiffId);
        var tool = FileFacts.Of(Path.Combine(layer, "opt/tool"));
        Assert.Equal(("4755", 1000, 1001, Past.ToUnixTimeSeconds()), (tool.Mode, tool.Uid, tool.Gid, tool.MTime));
        var directory = FileFacts.Of(Path.Combine(layer, "opt"));
        Assert.Equal((7, 8, Past.ToUnixTimeSeconds()), (directory.Uid, directory.Gid, directory.MTime));
        Assert.Equal("/opt/tool", new FileInfo(Path.Combine(layer, "opt/tool-link")).LinkTarget);
        Assert.Equal(tool.Inode, FileFacts.Of(Path.Combine(layer, "opt/tool-hard")).Inode);
        var device = FileFacts.Of(Path.Combine(layer, "opt/null"));
        Assert.Equal(("character special file", 1, 3), (device.Type, device.Major, device.Minor));
        Assert.Equal("fifo", FileFacts.Of(Path.Combine(layer, "opt/pipe")).Type);
        Assert.Equal("test-layer", FileFacts.Xattr(Path.Combine(layer, "opt/tagged"), "user.origin"));
    }

    [Fact]
    public async Task ConvertsWhiteoutsToOverlayFormat()
    {
        var image = ImageBuilder.FromBusybox()
            .Layer(l => l.File("etc/doomed", "gone soon").File("var/cache/old", "old"))
            .Layer(l => l.Whiteout("etc/doomed").OpaqueDirectory("var/cache").File("var/cache/new", "new"))
            .Build();
        var reference = await registry.PushAsync(image);
        using var root = new AgentRoot();

        await root.RunOkAsync("pull", reference);

        var top = root.LayerPath(image.Layers[2].DiffId);
        var whiteout = FileFacts.Of(Path.Combine(top, "etc/doomed"));
        Assert.Equal(("character special file", 0, 0), (whiteout.Type, whiteout.Major, whiteout.Minor));
        Assert.Equal("y", FileFacts.Xattr(Path.Combine(top, "var/cache"), "trusted.overlay.opaque"));
        Assert.Equal("new", File.ReadAllText(Path.Combine(top, "var/cache/new")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(top, ".wh.*", SearchOption.AllDirectories));
    }

    public static TheoryData<string, string, string> HostileLayers => new()
    {
        { "dot-dot", "escapes the layer", "" },
        { "absolute-through-symlink", "through a symlink", "" },
        { "symlink-out", "through a symlink", "" },
        { "hardlink-out", "hardlink", "" },
        { "hardlink-absolute", "hardlink", "" },
        { "hardlink-through-symlink", "hardlink", "" },
        { "bomb", "cap", "1048576" },
    };

    [Theory]
    [MemberData(nameof(HostileLayers))]
    public async Task RefusesAHostileLayerAndLeavesNothingBehind(string attack, string expectedError, string cap)
    {
        var outside = Path.Combine(Path.GetTempPath(), $"agent-outside-{Guid.NewGuid():N}");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "victim"), "original");
        try
        {
            var layer = new LayerSpec().File("innocent", "first entry is fine");
            var depth = string.Concat(Enumerable.Repeat("../", 12));
            _ = attack switch
            {
                "dot-dot" => layer.Raw(new TarItem(TarEntryType.RegularFile, $"{depth}{outside.TrimStart('/')}/victim", Content: Text("pwned"))),
                // An absolute name is taken relative to the layer root, so it may not reach outside through a symlink either.
                "absolute-through-symlink" => layer.Symlink("escape", outside).Raw(new TarItem(TarEntryType.RegularFile, "/escape/victim", Content: Text("pwned"))),
                "symlink-out" => layer.Symlink("escape", outside).Raw(new TarItem(TarEntryType.RegularFile, "escape/victim", Content: Text("pwned"))),
                "hardlink-out" => layer.Raw(new TarItem(TarEntryType.HardLink, "link", LinkName: $"{depth}{outside.TrimStart('/')}/victim")),
                "hardlink-absolute" => layer.Raw(new TarItem(TarEntryType.HardLink, "link", LinkName: $"{outside}/victim")),
                "hardlink-through-symlink" => layer.Symlink("escape", outside).Raw(new TarItem(TarEntryType.HardLink, "link", LinkName: "escape/victim")),
                "bomb" => layer.ZeroFile("bomb", 64L << 20),
                _ => throw new ArgumentOutOfRangeException(nameof(attack)),
            };
            var image = new ImageBuilder().Layer(layer).Build();
            var reference = await registry.PushAsync(image);
            using var root = new AgentRoot();

            var pull = await root.RunAsync(cap.Length > 0 ? ["pull", "--max-layer-size", cap, reference] : ["pull", reference]);

            Assert.True(pull.ExitCode == 1, pull.ToString());
            Assert.Contains(expectedError, pull.Stderr);
            Assert.Empty(root.LayerEntries()); // neither the layer nor its temp directory
            Assert.Equal("original", File.ReadAllText(Path.Combine(outside, "victim")));
            Assert.Single(Directory.EnumerateFileSystemEntries(outside));
            Assert.DoesNotContain(reference, (await root.RunOkAsync("images")).Stdout);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task RefusesALayerWhoseDiffIdDoesNotMatchTheConfig()
    {
        var honest = new ImageBuilder().Layer(l => l.File("file", "content")).Build();
        var wrongDiffId = Registry.Oci.Digest.Sha256Of("something else"u8);
        var config = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(honest.Config.Bytes)
            .Replace(honest.Layers[0].DiffId.ToString(), wrongDiffId.ToString()));
        var configBlob = new TestBlob(honest.Config.MediaType, config);
        var manifest = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(honest.Bytes)
            .Replace(honest.Config.Digest.ToString(), configBlob.Digest.ToString()));
        var repository = $"agent/{Guid.NewGuid():N}";
        var push = new RegistryPushClient(registry.Server.Client);
        await push.PushBlobAsync(repository, config);
        await push.PushBlobAsync(repository, honest.Layers[0].Bytes);
        await push.PutManifestAsync(repository, "1.0", manifest, honest.MediaType);
        using var root = new AgentRoot();

        var pull = await root.RunAsync("pull", $"{registry.Host}/{repository}:1.0");

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains($"diff_id is {wrongDiffId}", pull.Stderr);
        Assert.Empty(root.LayerEntries());
    }

    private static Func<Stream> Text(string text) => () => new MemoryStream(Encoding.UTF8.GetBytes(text));
}
