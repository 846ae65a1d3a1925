using System.Text.Json;

namespace Registry.Tests.Agent;

/// <summary>
/// The rootless agent's snapshotter choice when the kernel overlay cannot be mounted. The user's home is made on a
/// kernel overlay (as for an agent run inside a container whose root is an overlay), and the kernel really refuses
/// an overlay as another overlay's upperdir ("filesystem on … not supported as upperdir"). The agent then falls back
/// to fuse-overlayfs when the user may open /dev/fuse, and refuses in one line when it may not. Which /dev/fuse the
/// user sees is set per test, in a private mount namespace, by binding a device node (the real FUSE device, 10:229)
/// owned by the user or by root over /dev/fuse: the host's own /dev/fuse is left alone.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootlessSnapshotterTests(SnapshotImages images) : IClassFixture<SnapshotImages>, IAsyncLifetime
{
    private readonly string scratch = Directory.CreateTempSubdirectory("rootless-ovl-").FullName;
    private string Home => Path.Join(scratch, "merged");

    public async Task InitializeAsync()
    {
        await RootlessUser.EnsureAsync();
        foreach (var name in new[] { "lower", "upper", "work", "merged" }) Directory.CreateDirectory(Path.Join(scratch, name));
        File.SetUnixFileMode(scratch, (UnixFileMode)0b111_101_101);
        await Conformance.ExternalTool.RunAsync("mount", ["-t", "overlay", "overlay", "-o",
            $"lowerdir={scratch}/lower,upperdir={scratch}/upper,workdir={scratch}/work", Home]);
        await RootlessUser.ChownAsync(Home);
    }

    [Fact]
    public async Task FallsBackToFuseOverlayfsWhenTheKernelOverlayIsRefused()
    {
        var fuse = await FuseDeviceAsync(owner: RootlessUser.Name);
        var info = await RootlessUser.RunAgentAsync(Home, ["info", "--format", "json"], fuse);
        Assert.True(info.ExitCode == 0, info.ToString());
        using (var json = JsonDocument.Parse(info.Stdout))
        {
            var snapshotter = json.RootElement.GetProperty("snapshotter");
            Assert.Equal("fuse-overlayfs", snapshotter.GetProperty("default").GetString());
            Assert.Contains("Invalid argument", snapshotter.GetProperty("overlayError").GetString());
            Assert.Equal(JsonValueKind.Null, snapshotter.GetProperty("fuseOverlayfsError").ValueKind);
        }

        var run = await RootlessUser.RunAgentAsync(Home, ["run", images.Reference, "sh", "-c",
            "awk '$2 == \"/\" { print $3 }' /proc/self/mounts | tail -1; id -u; " + SnapshotImages.Probe], fuse);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n', 3);
        Assert.Equal("fuse.fuse-overlayfs", lines[0]);
        Assert.Equal("0", lines[1]);
        Assert.Equal(SnapshotImages.ProbeOutput, lines[2]); // whiteout, opaque dir, hardlink, owners 1000:1001 and 7:8

        // --snapshotter overrides the choice: the kernel overlay is tried, and the kernel's refusal of an upper on the
        // overlay home reported (--upper disk); with the foreground run's upper on a tmpfs (decision 009) it mounts.
        var forced = await RootlessUser.RunAgentAsync(Home, ["run", "--snapshotter", "overlay", "--upper", "disk", images.Reference, "true"], fuse);
        Assert.NotEqual(0, forced.ExitCode);
        Assert.Contains("overlay", forced.Stderr);
        Assert.DoesNotContain("   at ", forced.Stderr);
        var inRam = await RootlessUser.RunAgentAsync(Home, ["run", "--snapshotter", "overlay", images.Reference, "sh", "-c",
            "awk '$2 == \"/\" { print $3 }' /proc/self/mounts | tail -1"], fuse);
        Assert.True(inRam.ExitCode == 0, inRam.ToString());
        Assert.Equal("overlay\n", inRam.Stdout);
    }

    [Fact]
    public async Task RefusesInOneLineWhenNeitherOverlayCanBeMountedAndCopyIsTheWayOut()
    {
        var fuse = await FuseDeviceAsync(owner: "root");
        var run = await RootlessUser.RunAgentAsync(Home, ["run", images.Reference, "true"], fuse);
        Assert.Equal(125, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("runtime-agent:", StringComparison.Ordinal));
        Assert.Contains("rootless: no snapshotter works", line);
        Assert.Contains("overlay: mount -t overlay -o userxattr", line);
        Assert.Contains("fuse-overlayfs: fuse-overlayfs cannot open /dev/fuse: Permission denied", line);
        Assert.Contains("--snapshotter copy", line);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.Empty(Directory.GetDirectories(Path.Join(Home, ".local/share/runtime-agent"), ".probe-*"));

        // The way out the line names works: the copy snapshotter reads the layers as unpacked on this filesystem,
        // where the whiteout is kept in OCI form because the overlayfs home refuses whiteout devices.
        var copy = await RootlessUser.RunAgentAsync(Home, ["run", "--snapshotter", "copy", images.Reference, "sh", "-c", SnapshotImages.Probe], fuse);
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.Equal(SnapshotImages.ProbeOutput, copy.Stdout);
    }

    // A FUSE device node owned by OWNER (mode 0600), bound over /dev/fuse in a private mount namespace for the agent.
    private async Task<IReadOnlyList<string>> FuseDeviceAsync(string owner)
    {
        var node = Path.Join(scratch, $"fuse-{owner}");
        if (!File.Exists(node)) await Conformance.ExternalTool.RunAsync("mknod", ["-m", "600", node, "c", "10", "229"]);
        await Conformance.ExternalTool.RunAsync("chown", [$"{owner}:{owner}", node]);
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "mount --bind \"$0\" /dev/fuse && exec \"$@\"", node];
    }

    public Task DisposeAsync()
    {
        Conformance.ExternalTool.RunAsync("umount", ["-l", Home]).Wait();
        try
        {
            Directory.Delete(scratch, recursive: true);
        }
        catch (IOException) { }
        return Task.CompletedTask;
    }
}
