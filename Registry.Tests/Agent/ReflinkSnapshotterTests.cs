using Registry.Tests.Conformance;

namespace Registry.Tests.Agent;

/// <summary>
/// The reflink snapshotter on a real XFS filesystem with reflinks, made in a loop file by the test: the container
/// sees the layers as overlayfs would, its files share their extents with the layers' (FIEMAP's "shared" flag, read
/// with filefrag), and a filesystem without reflinks is refused in one line naming the fix.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReflinkSnapshotterTests(SnapshotImages images) : IClassFixture<SnapshotImages>, IAsyncLifetime
{
    private readonly string scratch = Directory.CreateTempSubdirectory("reflink-").FullName;
    private string Mount => Path.Join(scratch, "xfs");

    public async Task InitializeAsync()
    {
        // Searchable, as /tmp is: a --userns=auto container's init, the range's root, reads its spec under the store.
        File.SetUnixFileMode(scratch, (UnixFileMode)0b111_101_101);
        var image = Path.Join(scratch, "xfs.img");
        await ExternalTool.RunAsync("truncate", ["-s", "400M", image]);
        await ExternalTool.RunAsync("mkfs.xfs", ["-q", "-m", "reflink=1", image]);
        Directory.CreateDirectory(Mount);
        await ExternalTool.RunAsync("mount", ["-o", "loop", image, Mount]);
    }

    /// <summary>With --userns=auto too: the clones are then owned by the container's range on the host (RangeOwnership).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ContainerFilesAreClonesSharingTheLayersExtents(bool userNamespace)
    {
        using var root = new AgentRoot(Mount);
        string[] flags = userNamespace ? ["--userns=auto"] : [];
        var result = await root.RunOkAsync(["run", "--keep", .. flags, "--snapshotter", "reflink", images.Reference, "sh", "-c", SnapshotImages.Probe]);
        Assert.Equal(SnapshotImages.ProbeOutput, result.Stdout);

        var rootfs = Path.Join(Assert.Single(Directory.GetDirectories(Path.Join(root.Path, "containers"))), "rootfs");
        var layerBusybox = Directory.EnumerateDirectories(root.LayersDirectory).Select(d => Path.Join(d, "bin/busybox")).Single(File.Exists);
        Assert.Contains("shared", await ExternalTool.RunAsync("filefrag", ["-v", Path.Join(rootfs, "bin/busybox")]));
        Assert.Contains("shared", await ExternalTool.RunAsync("filefrag", ["-v", layerBusybox]));
        Assert.Equal(File.ReadAllBytes(layerBusybox), File.ReadAllBytes(Path.Join(rootfs, "bin/busybox")));
        Assert.Equal(userNamespace, FileFacts.Of(Path.Join(rootfs, "bin/busybox")).Uid != 0);
        Assert.Equal(FileFacts.Of(rootfs).Uid + 1000, FileFacts.Of(Path.Join(rootfs, "opt/a")).Uid);
    }

    [Fact]
    public async Task WritesGoToTheClonesNotTheLayers()
    {
        using var root = new AgentRoot(Mount);
        await root.RunOkAsync("run", "--snapshotter", "reflink", images.Reference, "sh", "-c", "echo changed > /opt/a; cp /bin/busybox /bb && echo more >> /bb; echo more >> /opt/tagged");
        var layer = Directory.EnumerateDirectories(root.LayersDirectory).Single(d => File.Exists(Path.Join(d, "opt/a")));
        Assert.Equal("shared", File.ReadAllText(Path.Join(layer, "opt/a")));
        Assert.Equal("x", File.ReadAllText(Path.Join(layer, "opt/tagged")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Join(root.Path, "containers")));
    }

    [Fact]
    public async Task AFilesystemWithoutReflinksIsRefusedClearly()
    {
        using var root = new AgentRoot(); // /tmp: no reflinks on this machine's ext4 or tmpfs
        var result = await root.RunAsync("run", "--snapshotter", "reflink", images.Reference, "true");
        Assert.Equal(125, result.ExitCode);
        Assert.Contains("reflink", result.Stderr);
        Assert.Contains("--snapshotter copy", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Join(root.Path, "containers")));
    }

    public async Task DisposeAsync()
    {
        await ExternalTool.TryRunAsync("umount", ["-l", Mount]);
        Directory.Delete(scratch, recursive: true);
    }
}
