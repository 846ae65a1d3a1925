namespace Registry.Tests.Agent;

/// <summary>
/// <c>build</c> by an ordinary user (rootless mode): RUN steps run in the user namespace (root inside, the user's
/// subordinate ids for the other owners), and the layers they make carry the right owners, whiteouts and opaque
/// directories — checked by pushing the image and running it with a root agent from a store of its own, so every
/// layer goes through a real tarball. <c>build --snapshotter</c> picks the RUN steps' snapshotter as run does.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootlessBuildTests(SnapshotImages images) : IClassFixture<SnapshotImages>, IDisposable
{
    private readonly string home = Directory.CreateTempSubdirectory("rootless-build-home-").FullName;
    private readonly AgentRoot rootAgent = new();

    [Fact]
    public async Task AnOrdinaryUserBuildsRunStepsWhoseLayersKeepOwnersWhiteoutsAndOpaqueDirectories()
    {
        await RootlessUser.EnsureAsync();
        var context = Path.Join(home, "context");
        Directory.CreateDirectory(context);
        File.WriteAllText(Path.Join(context, "Dockerfile"), $"""
            FROM {images.Reference}
            RUN mkdir /made && id -u > /made/by-root && touch /made/user /made/seven && chown 1000:1001 /made/user && chown 7:8 /made/seven
            RUN rm /opt/tool && rm -rf /data && mkdir /data && touch /data/new
            """);
        await RootlessUser.ChownAsync(home);
        var tag = images.Reference.Replace("/snap/rules:1", $"/snap/rootless-built-{Guid.NewGuid():N}:1");

        var build = await RootlessUser.RunAgentAsync(home, ["build", "--push", "-t", tag, context]);
        Assert.True(build.ExitCode == 0, build.ToString());

        var run = await rootAgent.RunOkAsync("run", tag, "sh", "-c",
            "cat /made/by-root; stat -c '%u:%g %n' /made/by-root /made/user /made/seven; test -e /opt/tool; echo tool $?; echo data $(ls /data); stat -c '%u:%g' /opt/a");
        Assert.Equal("0\n0:0 /made/by-root\n1000:1001 /made/user\n7:8 /made/seven\ntool 1\ndata new\n1000:1001\n", run.Stdout);
    }

    [Fact]
    public async Task BuildTakesTheSnapshotterOfRunAndRefusesTheTreeSnapshottersInOneLine()
    {
        await RootlessUser.EnsureAsync();
        var context = Path.Join(home, "context");
        Directory.CreateDirectory(context);
        File.WriteAllText(Path.Join(context, "Dockerfile"), $"FROM {images.Reference}\nRUN touch /x\n");
        await RootlessUser.ChownAsync(home);

        var copy = await RootlessUser.RunAgentAsync(home, ["build", "--snapshotter", "copy", "-t", "local/x:1", context]);
        Assert.NotEqual(0, copy.ExitCode);
        var line = Assert.Single(copy.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("build --snapshotter copy", line);
        Assert.Contains("use overlay or fuse-overlayfs", line);

        // The default is the probed one (overlay with userxattr here): the same as `info` reports for run.
        var info = await RootlessUser.RunAgentAsync(home, ["info", "--format", "json"]);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("\"overlay\"", info.Stdout);
        var overlay = await RootlessUser.RunAgentAsync(home, ["build", "--snapshotter", "overlay", "-t", "local/x:1", context]);
        Assert.True(overlay.ExitCode == 0, overlay.ToString());
    }

    [Fact]
    public async Task ARootBuildRunsItsStepsOnFuseOverlayfsWhenAsked()
    {
        var context = Directory.CreateDirectory(Path.Join(home, "fuse-context")).FullName;
        File.WriteAllText(Path.Join(context, "Dockerfile"), $"""
            FROM {images.Reference}
            RUN grep -q ' / fuse.fuse-overlayfs ' /proc/mounts && touch /made-on-fuse && chown 1000:1001 /made-on-fuse && rm /opt/tool
            """);
        var tag = images.Reference.Replace("/snap/rules:1", $"/snap/fuse-built-{Guid.NewGuid():N}:1");
        var build = await rootAgent.RunAsync("build", "--snapshotter", "fuse-overlayfs", "--push", "-t", tag, context);
        Assert.True(build.ExitCode == 0, build.ToString());

        using var other = new AgentRoot();
        var run = await other.RunOkAsync("run", tag, "sh", "-c", "stat -c '%u:%g' /made-on-fuse; test -e /opt/tool; echo tool $?");
        Assert.Equal("1000:1001\ntool 1\n", run.Stdout);
    }

    public void Dispose()
    {
        rootAgent.Dispose();
        Directory.Delete(home, recursive: true);
    }
}
