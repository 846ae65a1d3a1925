using Registry.Tests.Agent.Unpack;

namespace Registry.Tests.Agent;

/// <summary>
/// Every snapshotter shows the layers as overlayfs would (whiteouts, opaque directories, hardlinks, owners, modes,
/// links), keeps xattrs and file capabilities, and leaves the shared layers untouched when the container writes.
/// Reflink needs a filesystem with reflinks: see <see cref="ReflinkSnapshotterTests"/>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SnapshotterTests(SnapshotImages images) : IClassFixture<SnapshotImages>, IDisposable
{
    private readonly AgentRoot root = new();

    public static TheoryData<string> Snapshotters => new() { "overlay", "fuse-overlayfs", "copy" };

    [Theory, MemberData(nameof(Snapshotters))]
    public async Task ShowsTheLayersAsOverlayfsWould(string snapshotter)
    {
        var result = await root.RunOkAsync("run", "--snapshotter", snapshotter, images.Reference, "sh", "-c", SnapshotImages.Probe);
        Assert.Equal(SnapshotImages.ProbeOutput, result.Stdout);
    }

    [Theory, MemberData(nameof(Snapshotters))]
    public async Task ANonRootUserReadsTheRoot(string snapshotter)
    {
        var result = await root.RunOkAsync("run", "--user", "1000:1000", "--snapshotter", snapshotter, images.Reference, "sh", "-c", "id -u; cat /opt/a; echo; ls /data");
        Assert.Equal("1000\nshared\nc.txt\n", result.Stdout);
    }

    [Theory, MemberData(nameof(Snapshotters))]
    public async Task WritesLeaveTheLayersUntouchedAndNothingBehind(string snapshotter)
    {
        await root.RunOkAsync("pull", images.Reference);
        var before = await LayerTreeAsync();
        var result = await root.RunOkAsync("run", "--snapshotter", snapshotter, images.Reference, "sh", "-c",
            "echo changed > /opt/a && rm /opt/tool && echo new > /opt/new && rm -r /data && cat /opt/a");
        Assert.Equal("changed\n", result.Stdout);
        Assert.Equal(before, await LayerTreeAsync());
        Assert.DoesNotContain(root.Path, File.ReadAllText("/proc/self/mountinfo"));
        var containers = Path.Join(root.Path, "containers");
        Assert.True(!Directory.Exists(containers) || Directory.GetFileSystemEntries(containers).Length == 0);
        Assert.DoesNotContain(await ExternalToolOutputAsync("ps", "-eo", "args"), $"fuse-overlayfs -f -o lowerdir={root.Path}");
    }

    [Fact]
    public async Task CopyKeepsXattrsAndFileCapabilities()
    {
        await root.RunOkAsync("pull", images.Reference);
        await SetCapabilityInLayerAsync();
        await root.RunOkAsync("run", "--keep", "--snapshotter", "copy", images.Reference, "true");
        var rootfs = Path.Join(Assert.Single(Directory.GetDirectories(Path.Join(root.Path, "containers"))), "rootfs");
        Assert.Equal("test-layer", FileFacts.Xattr(Path.Join(rootfs, "opt/tagged"), "user.origin"));
        Assert.Equal(SnapshotImages.CapabilityHex, await HostXattrs.HexAsync(Path.Join(rootfs, "opt/tool"), "security.capability"));
        Assert.Null(FileFacts.Xattr(Path.Join(rootfs, "data"), "trusted.overlay.opaque"));
    }

    [Fact]
    public async Task AnUnknownSnapshotterIsRefusedInOneLine()
    {
        var result = await root.RunAsync("run", "--snapshotter", "zfs", images.Reference, "true");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("zfs", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    // The capability is put on the unpacked layer's file (a PAX value cannot carry its NUL bytes through the test's tar writer).
    private async Task SetCapabilityInLayerAsync()
    {
        var tool = Directory.EnumerateDirectories(root.LayersDirectory).Select(d => Path.Join(d, "opt/tool")).Single(File.Exists);
        await HostXattrs.SetHexAsync(tool, "security.capability", SnapshotImages.CapabilityHex);
    }

    private async Task<string> LayerTreeAsync() =>
        await ExternalToolOutputAsync("sh", "-c", $"cd {root.LayersDirectory} && find . -printf '%p %y %m %u %g %s %n\\n' | sort && cat */opt/a");

    private static Task<string> ExternalToolOutputAsync(string tool, params string[] args) =>
        Conformance.ExternalTool.RunAsync(tool, args);

    public void Dispose() => root.Dispose();
}
