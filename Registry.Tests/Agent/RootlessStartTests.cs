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

    /// <summary>
    /// `run -d` of a rootless agent spawns its monitor (no fork: that is root's); the monitor runs in the agent's user
    /// namespace as its root and must know it is rootless, or it sets the container up as the host's root would (mknod).
    /// </summary>
    [Fact]
    public async Task ADetachedRunRunsUnderItsMonitorUntilRemoved()
    {
        await RootlessUser.EnsureAsync();
        await RootlessUser.ChownAsync(home);
        var run = await RootlessUser.RunAgentAsync(home, ["run", "-d", images.Reference, "sleep", "600"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var id = run.Stdout.Trim();
        try
        {
            var inspect = await RootlessUser.RunAgentAsync(home, ["inspect", id]);
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
            Assert.Matches("\"status\": *\"running\"", inspect.Stdout);
        }
        finally
        {
            var rm = await RootlessUser.RunAgentAsync(home, ["rm", "-f", id]);
            Assert.True(rm.ExitCode == 0, rm.ToString());
        }
        Assert.Empty(Directory.GetDirectories(Path.Join(home, ".local/share/runtime-agent/containers")));
    }

    /// <summary>
    /// The published (NativeAOT) agent enters its user namespace in place, before its runtime starts: the process the
    /// user started is itself root of the namespace (its uid_map maps 0 to the user), not a parent waiting for a
    /// re-executed copy of itself in the host's namespace.
    /// </summary>
    [Fact]
    public async Task TheAgentTheUserStartedIsItselfInsideItsUserNamespace()
    {
        var (uid, _) = await RootlessUser.EnsureAsync();
        var sync = Path.Join(home, "sync");
        Directory.CreateDirectory(sync);
        await RootlessUser.ChownAsync(home);
        var agentPid = 0;
        var run = RootlessUser.RunAgentAsync(home, ["run", "-v", $"{sync}:/sync", images.Reference, "sh", "-c",
            "touch /sync/started; i=0; while [ ! -e /sync/looked ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done"], started: pid => agentPid = pid);
        for (var i = 0; i < 1200 && !File.Exists(Path.Join(sync, "started")) && !run.IsCompleted; i++) await Task.Delay(50);
        Assert.True(File.Exists(Path.Join(sync, "started")), run.IsCompleted ? (await run).ToString() : "the container did not start in time");
        var uidMap = File.ReadAllLines($"/proc/{agentPid}/uid_map").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        File.WriteAllText(Path.Join(sync, "looked"), "");
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["0", uid.ToString(), "1"], uidMap[0]);
        Assert.Equal("1", uidMap[1][0]);
    }

    /// <summary>A failing newuidmap (a stand-in found first on PATH) is reported in one line, with its own words.</summary>
    [Fact]
    public async Task AFailingIdMapToolIsReportedInOneLine()
    {
        await RootlessUser.EnsureAsync();
        var tools = Path.Join(home, "tools");
        Directory.CreateDirectory(tools);
        File.WriteAllText(Path.Join(tools, "newuidmap"), "#!/bin/sh\necho 'newuidmap: uid range [0-1) -> [1-2) not allowed' >&2\nexit 1\n");
        File.SetUnixFileMode(Path.Join(tools, "newuidmap"), (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(home, (UnixFileMode)0b111_101_101);
        await RootlessUser.ChownAsync(home);
        var run = await RootlessUser.RunAgentAsync(home, ["run", images.Reference, "true"], ["env", $"PATH={tools}:/usr/sbin:/usr/bin:/sbin:/bin"]);
        Assert.Equal(125, run.ExitCode);
        Assert.Equal("runtime-agent: rootless: newuidmap failed: newuidmap: uid range [0-1) -> [1-2) not allowed\n", run.Stderr);
        Assert.False(Directory.Exists(Path.Join(home, ".local/share/runtime-agent/containers")), "a container was made");
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
