using System.Globalization;

namespace Registry.Tests.Agent;

/// <summary>
/// <c>run --userns=auto</c> of a root agent on the real kernel: the container's root is a range of host ids of its
/// own from the <c>containers</c> entries of /etc/subuid and /etc/subgid; the shared layers are idmapped, not
/// chowned; two live containers never share a range; the range is given back at exit; the profile still applies.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UserNamespaceTests(SnapshotImages images) : IClassFixture<SnapshotImages>, IDisposable
{
    // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP (SecurityProfileTests)
    private const ulong DefaultCaps = 1UL << 0 | 1UL << 1 | 1UL << 3 | 1UL << 4 | 1UL << 5 | 1UL << 6 | 1UL << 7 | 1UL << 8
        | 1UL << 10 | 1UL << 18 | 1UL << 31;

    private readonly AgentRoot root = new();
    private readonly List<string> volumes = [];

    [Fact]
    public async Task RootInsideIsTheAllocatedRangeOutsideAndImageOwnersAreKept()
    {
        var result = await root.RunOkAsync("run", "--userns=auto", images.Reference, "sh", "-c",
            "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; stat -c '%u:%g' /bin/busybox /opt/a /opt/tool");
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["0", "0"], lines[..2]);
        var (uidBase, uidCount) = Map(lines[2]);
        var (gidBase, gidCount) = Map(lines[3]);
        Assert.Equal(65536u, uidCount);
        Assert.Equal(65536u, gidCount);
        Assert.True(InPool("/etc/subuid", uidBase, uidCount), $"uid range {uidBase} is not in the containers entry of /etc/subuid");
        Assert.True(InPool("/etc/subgid", gidBase, gidCount), $"gid range {gidBase} is not in the containers entry of /etc/subgid");
        Assert.Equal(["0:0", "1000:1001", "7:8"], lines[4..]); // the layers' owners, seen through the idmapped mounts
        // ... and the layers themselves were not chowned.
        var layerFile = Directory.EnumerateDirectories(root.LayersDirectory).Select(d => Path.Join(d, "opt/a")).Single(File.Exists);
        Assert.Equal((1000, 1001), (FileFacts.Of(layerFile).Uid, FileFacts.Of(layerFile).Gid));
    }

    [Fact]
    public async Task WhatRootWritesIsOwnedByTheMappedIdOnTheHost()
    {
        var volume = NewDirectory("0777");
        var result = await root.RunOkAsync("run", "--keep", "--userns=auto", "-v", $"{volume}:/vol", images.Reference, "sh", "-c",
            "echo x > /written; touch /vol/made; chown 1000:1000 /vol/made; stat -c '%u' /written; cat /proc/self/uid_map");
        var (uidBase, _) = Map(result.Stdout.Split('\n')[1]);
        var upper = Path.Join(Assert.Single(Directory.GetDirectories(Path.Join(root.Path, "containers"))), "upper");
        Assert.Equal("0", result.Stdout.Split('\n')[0]);
        Assert.Equal((int)uidBase, FileFacts.Of(Path.Join(upper, "written")).Uid);
        Assert.Equal((int)uidBase + 1000, FileFacts.Of(Path.Join(volume, "made")).Uid);
    }

    [Fact]
    public async Task AnIdmappedVolumeShowsTheHostsOwnersToTheContainer()
    {
        var volume = NewDirectory("0755");
        File.WriteAllText(Path.Join(volume, "host-file"), "h");
        var result = await root.RunOkAsync("run", "--userns=auto", "-v", $"{volume}:/vol:idmap", images.Reference, "sh", "-c",
            "stat -c '%u:%g' /vol/host-file; echo c > /vol/from-container && echo written");
        Assert.Equal("0:0\nwritten\n", result.Stdout);
        Assert.Equal(0, FileFacts.Of(Path.Join(volume, "from-container")).Uid);
    }

    [Fact]
    public async Task TwoLiveContainersGetDisjointRangesAndTheyAreGivenBackAfterExit()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            root.RunOkAsync("run", "--userns=auto", images.Reference, "sh", "-c", "cat /proc/self/uid_map; sleep 2")));
        var bases = runs.Select(r => Map(r.Stdout).Base).Order().ToArray();
        Assert.True(bases[1] - bases[0] >= 65536, $"ranges overlap: {bases[0]} and {bases[1]}");
        Assert.Empty(Directory.GetFiles(Path.Join(root.Path, "userns"), "slice-*"));
        // Given back: the next container takes the lowest range again.
        var next = await root.RunOkAsync("run", "--userns=auto", images.Reference, "cat", "/proc/self/uid_map");
        Assert.Equal(bases[0], Map(next.Stdout).Base);
    }

    [Fact]
    public async Task TheSecurityProfileStillApplies()
    {
        var result = await root.RunOkAsync("run", "--userns=auto", images.Reference, "cat", "/proc/self/status");
        var status = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
        Assert.Equal(DefaultCaps, ulong.Parse(status["CapEff"], NumberStyles.HexNumber));
        Assert.Equal(DefaultCaps, ulong.Parse(status["CapBnd"], NumberStyles.HexNumber));
        Assert.Equal(0UL, ulong.Parse(status["CapAmb"], NumberStyles.HexNumber));
        Assert.Equal("2", status["Seccomp"]);
    }

    /// <summary>The container's init is the range's root: a store under a directory it cannot search is said in one line.</summary>
    [Fact]
    public async Task AStoreTheRangeCannotReachIsReportedInOneLine()
    {
        var closed = Directory.CreateTempSubdirectory("userns-closed-").FullName; // 0700, root's
        try
        {
            using var hidden = new AgentRoot(closed);
            var result = await hidden.RunAsync("run", "--userns=auto", images.Reference, "true");
            Assert.Equal(125, result.ExitCode);
            Assert.Contains("must be able to search every directory above the store (--root)", result.Stderr);
            Assert.DoesNotContain("   at ", result.Stderr);
        }
        finally
        {
            Directory.Delete(closed, recursive: true);
        }
    }

    [Fact]
    public async Task WhatItCannotDoIsRefusedInOneLine()
    {
        var result = await root.RunAsync("run", "--userns=auto", "--snapshotter", "fuse-overlayfs", images.Reference, "true");
        Assert.Equal(125, result.ExitCode);
        Assert.Contains("--userns=auto does not work with fuse-overlayfs: its daemon runs in the host's mount namespace", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        var unknown = await root.RunAsync("run", "--userns=keep-id", images.Reference, "true");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("keep-id", unknown.Stderr);
    }

    private static (uint Base, uint Count) Map(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", fields[0]);
        return (uint.Parse(fields[1], CultureInfo.InvariantCulture), uint.Parse(fields[2], CultureInfo.InvariantCulture));
    }

    private static bool InPool(string file, uint start, uint count) =>
        File.ReadLines(file).Select(l => l.Split(':')).Where(f => f.Length == 3 && f[0] == "containers")
            .Any(f => long.Parse(f[1]) <= start && start + (long)count <= long.Parse(f[1]) + long.Parse(f[2]));

    private string NewDirectory(string mode)
    {
        var path = Directory.CreateTempSubdirectory("userns-volume-").FullName;
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));
        volumes.Add(path);
        return path;
    }

    public void Dispose()
    {
        root.Dispose();
        foreach (var volume in volumes) Directory.Delete(volume, recursive: true);
    }
}
