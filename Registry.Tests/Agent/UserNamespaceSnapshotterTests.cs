using Registry.Tests.Agent.Unpack;

namespace Registry.Tests.Agent;

/// <summary>
/// --userns=auto with the copy snapshotter (reflink builds its tree with the same code, cloning instead of copying):
/// the container sees the layers as overlayfs would, with the image's owners, while on the host its private tree is
/// owned by the container's range (image id n = range + n), setuid bits survive the shift, and a file capability is
/// rewritten as a namespaced (v3) one rooted at the range's first id — a v2 one would count for the host's root only.
/// </summary>
[Trait("Category", "Integration")]
public sealed class UserNamespaceSnapshotterTests(SnapshotImages images) : IClassFixture<SnapshotImages>, IDisposable
{
    private readonly AgentRoot root = new();

    [Fact]
    public async Task CopyShowsTheImagesOwnersInsideAndTheRangeOnTheHost()
    {
        await root.RunOkAsync("pull", images.Reference);
        var tool = Directory.EnumerateDirectories(root.LayersDirectory).Select(d => Path.Join(d, "opt/tool")).Single(File.Exists);
        await HostXattrs.SetHexAsync(tool, "security.capability", SnapshotImages.CapabilityHex);
        var result = await root.RunOkAsync("run", "--keep", "--userns=auto", "--snapshotter", "copy", images.Reference, "sh", "-c",
            "cat /proc/self/uid_map; id -u; " + SnapshotImages.Probe);
        var lines = result.Stdout.Split('\n', 3);
        var map = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", map[0]);
        var first = uint.Parse(map[1]);
        Assert.NotEqual(0u, first);
        Assert.Equal("0", lines[1]);
        Assert.Equal(SnapshotImages.ProbeOutput, lines[2]); // whiteout, opaque dir, hardlink, owners 1000:1001 and 7:8 inside

        var rootfs = Path.Join(Assert.Single(Directory.GetDirectories(Path.Join(root.Path, "containers"))), "rootfs");
        var shared = FileFacts.Of(Path.Join(rootfs, "opt/a"));
        Assert.Equal((int)first + 1000, shared.Uid);
        Assert.Equal((int)first, FileFacts.Of(rootfs).Uid);
        var setuid = FileFacts.Of(Path.Join(rootfs, "opt/tool"));
        Assert.Equal((int)first + 7, setuid.Uid);
        Assert.Equal("4755", setuid.Mode); // the shift (a chown) cleared it; it is set again
        var rootId = BitConverter.ToString(BitConverter.GetBytes(first)).Replace("-", "").ToLowerInvariant();
        Assert.Equal("01000003" + SnapshotImages.CapabilityHex[8..] + rootId,
            await HostXattrs.HexAsync(Path.Join(rootfs, "opt/tool"), "security.capability"));
    }

    public void Dispose() => root.Dispose();
}
