using System.Text.Json;

namespace Registry.Tests.Agent;

/// <summary>
/// <c>runtime-agent info</c> as root and as an ordinary user: each fact compared with what the test reads from the
/// host itself (/etc/subuid, the cgroup mounts, the boot id), and the snapshotter probe recorded once per boot.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AgentInfoTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("info-root-").FullName;
    private readonly string home = Directory.CreateTempSubdirectory("info-home-").FullName;

    [Fact]
    public async Task AsRootReportsTheKernelOverlayAndTheContainersRange()
    {
        var result = await AgentBinary.RunAsync(["--root", root, "info", "--format", "json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var info = json.RootElement;
        Assert.Equal("root", info.GetProperty("mode").GetString());
        Assert.Equal(root, info.GetProperty("stateDirectory").GetString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), info.GetProperty("kernel").GetString());
        var snapshotter = info.GetProperty("snapshotter");
        Assert.Equal("overlay", snapshotter.GetProperty("default").GetString());
        Assert.Equal(JsonValueKind.Null, snapshotter.GetProperty("overlayError").ValueKind);
        Assert.False(snapshotter.GetProperty("probedEarlierThisBoot").GetBoolean());
        Assert.Equal(Ranges("/etc/subuid", "containers"), Ranges(info.GetProperty("userNamespaces").GetProperty("subordinateUids")));
        Assert.Equal(HostCgroupVersion(), info.GetProperty("cgroups").GetProperty("version").GetString());
        Assert.True(info.GetProperty("cgroups").GetProperty("limits").GetBoolean());
        Assert.True(info.GetProperty("seccomp").GetProperty("supported").GetBoolean());

        // Probed once: the record names this boot, the next call reads it back, the scratch directories are gone.
        var record = File.ReadAllLines(Path.Join(root, "snapshotter-probe"));
        Assert.Contains($"boot={File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim()}", record);
        Assert.Contains("chosen=overlay", record);
        Assert.Empty(Directory.GetDirectories(root, ".probe-*"));
        var text = await AgentBinary.RunAsync(["--root", root, "info"]);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"(?m)^mode:\s+root \(user root, uid 0\)$", text.Stdout);
        Assert.Matches(@"(?m)^  probed:\s+earlier this boot", text.Stdout);
    }

    [Fact]
    public async Task AsAnOrdinaryUserReportsRootlessWithItsRangesAndNoCgroupLimitsHere()
    {
        var (uid, _) = await RootlessUser.EnsureAsync();
        await RootlessUser.ChownAsync(home);
        var result = await RootlessUser.RunAgentAsync(home, ["info", "--format", "json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var info = json.RootElement;
        Assert.Equal("rootless", info.GetProperty("mode").GetString());
        Assert.Equal(RootlessUser.Name, info.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal(uid, info.GetProperty("user").GetProperty("uid").GetInt32());
        Assert.Equal(Path.Join(home, ".local/share/runtime-agent"), info.GetProperty("stateDirectory").GetString());
        var userns = info.GetProperty("userNamespaces");
        Assert.Equal(RootlessUser.SubordinateRanges("/etc/subuid"), Ranges(userns.GetProperty("subordinateUids")));
        Assert.Equal(RootlessUser.SubordinateRanges("/etc/subgid"), Ranges(userns.GetProperty("subordinateGids")));
        var (start, count) = RootlessUser.SubordinateRanges("/etc/subuid")[0];
        Assert.Equal([$"0 {uid} 1", $"1 {start} {count}"], userns.GetProperty("uidMap").EnumerateArray().Select(e => e.GetString()));
        var snapshotter = info.GetProperty("snapshotter");
        Assert.Equal("overlay", snapshotter.GetProperty("default").GetString());
        Assert.Contains("userxattr", snapshotter.GetProperty("overlayMode").GetString());
        // No delegated subtree: setpriv does not start a systemd user session, and a hybrid host's controllers are v1.
        var cgroups = info.GetProperty("cgroups");
        Assert.Equal(HostCgroupVersion(), cgroups.GetProperty("version").GetString());
        Assert.False(cgroups.GetProperty("limits").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(cgroups.GetProperty("detail").GetString()));

        var text = await RootlessUser.RunAgentAsync(home, ["info"]);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches($@"(?m)^mode:\s+rootless \(user {RootlessUser.Name}, uid {uid}\)$", text.Stdout);
        Assert.Matches(@"(?m)^cgroup limits:\s+no: ", text.Stdout);
    }

    [Fact]
    public async Task ForAUserWithoutSubordinateIdsReportsThatNoRangesAreConfiguredAndWhatThatLimits()
    {
        await RootlessUser.EnsureWithoutRangesAsync();
        await RootlessUser.ChownAsync(home, RootlessUser.WithoutRanges);
        var uid = int.Parse(File.ReadLines("/etc/passwd").First(l => l.StartsWith(RootlessUser.WithoutRanges + ":", StringComparison.Ordinal)).Split(':')[2]);
        var result = await RootlessUser.RunAgentAsync(home, ["info", "--format", "json"], user: RootlessUser.WithoutRanges);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var userns = json.RootElement.GetProperty("userNamespaces");
        Assert.Equal("rootless", json.RootElement.GetProperty("mode").GetString());
        Assert.Empty(userns.GetProperty("subordinateUids").EnumerateArray());
        Assert.Empty(userns.GetProperty("subordinateGids").EnumerateArray());
        Assert.Equal([$"0 {uid} 1"], userns.GetProperty("uidMap").EnumerateArray().Select(e => e.GetString())); // the user alone
        Assert.Contains("no subordinate uids or gids are configured", userns.GetProperty("missingRanges").GetString());
        Assert.Equal("overlay", json.RootElement.GetProperty("snapshotter").GetProperty("default").GetString()); // still probed

        var text = await RootlessUser.RunAgentAsync(home, ["info"], user: RootlessUser.WithoutRanges);
        Assert.Matches(@"(?m)^subordinate uids:\s+none$", text.Stdout);
        Assert.Matches(@"(?m)^  limits:\s+no subordinate uids or gids .*pull, run and build refuse", text.Stdout);
        // Any other command still refuses in its one line.
        var pull = await RootlessUser.RunAgentAsync(home, ["pull", "localhost:1/none:1"], user: RootlessUser.WithoutRanges);
        Assert.Equal(125, pull.ExitCode);
        Assert.Equal($"runtime-agent: rootless: {RootlessUser.WithoutRanges} has no subordinate ids in /etc/subuid", pull.Stderr.Split(';')[0]);
    }

    private static string HostCgroupVersion() =>
        File.Exists("/sys/fs/cgroup/cgroup.controllers") ? "v2" : File.Exists("/sys/fs/cgroup/unified/cgroup.procs") ? "hybrid" : "v1";

    private static List<(long, long)> Ranges(string file, string owner) =>
        File.ReadLines(file).Select(l => l.Split(':')).Where(f => f.Length == 3 && f[0] == owner).Select(f => (long.Parse(f[1]), long.Parse(f[2]))).ToList();

    private static List<(long, long)> Ranges(JsonElement array) =>
        array.EnumerateArray().Select(r => (r.GetProperty("start").GetInt64(), r.GetProperty("count").GetInt64())).ToList();

    public void Dispose()
    {
        foreach (var directory in new[] { root, home })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException) { }
        }
    }
}
