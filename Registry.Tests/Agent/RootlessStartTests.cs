namespace Registry.Tests.Agent;

/// <summary>
/// How a rootless agent starts a foreground container (issue #17's start-up cost): the command itself is PID 1, with
/// no `runtime-agent init` in between (/proc is mounted for its PID namespace from outside, which a user namespace may
/// do only while the host's /proc is still in view: the old root is detached after that, before the command runs), and
/// its writes live on a tmpfs in its mount namespace (decision 009; tmpfs keeps the user.* xattrs of a userxattr overlay
/// since Linux 6.6), so the user's containers/ID stays empty; `--upper disk` keeps them there.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootlessStartTests(SnapshotImages images) : IClassFixture<SnapshotImages>, IDisposable
{
    private readonly string home = Directory.CreateTempSubdirectory("rootless-start-").FullName;

    [Theory]
    [InlineData("auto", false)]
    [InlineData("disk", true)]
    public async Task AForegroundRunExecsItsCommandAsPid1WithOnlyItsOwnMounts(string upper, bool onDisk)
    {
        await RootlessUser.EnsureAsync();
        var sync = Path.Join(home, "sync");
        Directory.CreateDirectory(sync);
        await RootlessUser.ChownAsync(home);
        // PID 1's command line; the mounts at / (the overlay alone once the old root is gone); an opaque directory made
        // in the upper (rm -rf of an image directory, then mkdir); then it waits until the test has looked at the host.
        var run = RootlessUser.RunAgentAsync(home, ["run", "--upper", upper, "-v", $"{sync}:/sync", images.Reference, "sh", "-c",
            "echo $$; tr '\\0' ' ' </proc/1/cmdline; echo; awk '$5 == \"/\" {print $9}' /proc/self/mountinfo;" +
            "rm -rf /data && mkdir /data && echo new >/data/n && ls /data; touch /sync/written;" +
            "i=0; while [ ! -e /sync/looked ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done"]);
        for (var i = 0; i < 1200 && !File.Exists(Path.Join(sync, "written")) && !run.IsCompleted; i++) await Task.Delay(50);
        Assert.True(File.Exists(Path.Join(sync, "written")), run.IsCompleted ? (await run).ToString() : "the container did not write in time");
        var container = Assert.Single(Directory.GetDirectories(Path.Join(home, ".local/share/runtime-agent/containers")));
        Assert.Equal(onDisk, File.Exists(Path.Join(container, "upper", "data", "n")));
        if (!onDisk) Assert.Empty(Directory.EnumerateFileSystemEntries(container));
        File.WriteAllText(Path.Join(sync, "looked"), "");
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Equal("1", lines[0]);
        Assert.StartsWith("sh -c echo $$;", lines[1]); // not `runtime-agent init`
        Assert.Equal("overlay", lines[2]); // the one mount at /: the host's old root is gone
        Assert.Equal("n", lines[3]);
        Assert.Empty(Directory.GetDirectories(Path.Join(home, ".local/share/runtime-agent/containers")));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(home, recursive: true);
        }
        catch (IOException) { }
    }
}
