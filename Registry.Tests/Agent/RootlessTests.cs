namespace Registry.Tests.Agent;

/// <summary>
/// The agent run by an ordinary user (rootless mode): a user made by the test with subordinate ids, the agent started
/// as that user with setpriv, state in its home. It pulls an image with files of several owners and runs it: root
/// inside, the user outside, image owners kept, what it writes to a volume owned by the user on the host.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootlessTests(SnapshotImages images) : IClassFixture<SnapshotImages>, IDisposable
{
    private readonly string home = Directory.CreateTempSubdirectory("rootless-home-").FullName;

    [Fact]
    public async Task AnOrdinaryUserPullsAndRunsAnImageWithManyOwners()
    {
        var (uid, _) = await EnsureUserAsync();
        var volume = Path.Join(home, "vol");
        Directory.CreateDirectory(volume);
        await Chown(home);
        var pull = await AsUserAsync("pull", images.Reference);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.True(Directory.Exists(Path.Join(home, ".local/share/runtime-agent/layers")), "the state is not under ~/.local/share/runtime-agent");
        var run = await AsUserAsync("run", "-v", $"{volume}:/vol", images.Reference, "sh", "-c",
            "id -u; cat /proc/self/uid_map | head -1; touch /vol/made; " + SnapshotImages.Probe);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n', 3);
        Assert.Equal("0", lines[0]);
        Assert.Equal(["0", uid.ToString(), "1"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(SnapshotImages.ProbeOutput, lines[2]); // whiteout, opaque dir, hardlink, owners 1000:1001 and 7:8
        Assert.Equal(uid, FileFacts.Of(Path.Join(volume, "made")).Uid);
    }

    [Fact]
    public async Task ALimitFlagIsRefusedInOneLine()
    {
        await EnsureUserAsync();
        await Chown(home);
        var run = await AsUserAsync("run", "--memory", "64m", images.Reference, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains("rootless: --memory", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    private Task<AgentResult> AsUserAsync(params string[] args) => RootlessUser.RunAgentAsync(home, args);

    private static Task<(int Uid, int Gid)> EnsureUserAsync() => RootlessUser.EnsureAsync();

    private static Task Chown(string path) => RootlessUser.ChownAsync(path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(home, recursive: true);
        }
        catch (IOException) { }
    }
}
