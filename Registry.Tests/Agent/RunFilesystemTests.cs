namespace Registry.Tests.Agent;

/// <summary>`run`: the container's filesystem — overlay root, whiteouts, volumes, /dev, read-only kernel files, cleanup.</summary>
[Trait("Category", "Integration")]
public sealed class RunFilesystemTests(RunImages images) : IClassFixture<RunImages>
{
    [Fact]
    public async Task WhiteoutsAndOpaqueDirectoriesHideLowerLayers()
    {
        var result = await images.Agent("run", images.Layered, "sh", "-c", "test -e /etc/doomed.txt; echo $?; ls /data");
        Assert.Equal("1\nc.txt\n", result.Stdout);
    }

    [Fact]
    public async Task ReadWriteVolumeReachesTheHost()
    {
        var host = Directory.CreateTempSubdirectory("agent-volume-").FullName;
        try
        {
            var result = await images.Agent("run", "-v", $"{host}:/data", images.Configured, "sh", "-c", "echo written > /data/out.txt");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("written\n", File.ReadAllText(Path.Join(host, "out.txt")));
        }
        finally
        {
            Directory.Delete(host, recursive: true);
        }
    }

    [Fact]
    public async Task ReadOnlyVolumeRefusesWrites()
    {
        var host = Directory.CreateTempSubdirectory("agent-volume-").FullName;
        File.WriteAllText(Path.Join(host, "in.txt"), "visible");
        try
        {
            var result = await images.Agent("run", "-v", $"{host}:/data:ro", images.Configured,
                "sh", "-c", "cat /data/in.txt; echo; echo x > /data/out.txt");
            Assert.NotEqual(0, result.ExitCode);
            Assert.StartsWith("visible", result.Stdout);
            Assert.Contains("Read-only file system", result.Stderr);
            Assert.False(File.Exists(Path.Join(host, "out.txt")));
        }
        finally
        {
            Directory.Delete(host, recursive: true);
        }
    }

    [Fact]
    public async Task BadVolumeIsRefusedAndLeavesNothing()
    {
        var before = Containers();
        var result = await images.Agent("run", "-v", "/no/such/dir:/data", images.Configured, "true");
        Assert.Equal(125, result.ExitCode);
        Assert.Contains("/no/such/dir", result.Stderr);
        Assert.Equal(before, Containers());
    }

    [Fact]
    public async Task WritesInTheContainerLeaveTheLayersUntouched()
    {
        var result = await images.Agent("run", images.Configured, "sh", "-c",
            "echo changed > /etc/passwd && rm /bin/ls && echo new > /new.txt && cat /etc/passwd");
        Assert.Equal("changed\n", result.Stdout);

        Assert.Contains(images.LayerDirectories, d => File.Exists(Path.Join(d, "etc/passwd")) && File.ReadAllText(Path.Join(d, "etc/passwd")).StartsWith("root:"));
        Assert.Contains(images.LayerDirectories, d => Path.Exists(Path.Join(d, "bin/ls")));
        Assert.DoesNotContain(images.LayerDirectories, d => File.Exists(Path.Join(d, "new.txt")));

        var next = await images.Agent("run", images.Configured, "sh", "-c", "head -c 5 /etc/passwd; test -e /new.txt || echo fresh");
        Assert.Equal("root:fresh\n", next.Stdout);
    }

    [Fact]
    public async Task NoMountOrDirectoryOfTheContainerRemainsAfterExit()
    {
        var host = Directory.CreateTempSubdirectory("agent-volume-").FullName;
        try
        {
            var result = await images.Agent("run", "-v", $"{host}:/data", images.Configured, "sh", "-c", "touch /tmp/x /data/y");
            Assert.True(result.ExitCode == 0, result.ToString());
            var mountinfo = File.ReadAllText("/proc/self/mountinfo");
            Assert.DoesNotContain(images.Root, mountinfo);
            Assert.DoesNotContain(host, mountinfo);
            Assert.Empty(Containers());
        }
        finally
        {
            Directory.Delete(host, recursive: true);
        }
    }

    [Fact]
    public async Task KeepLeavesTheContainersUpperLayer()
    {
        var result = await images.Agent("run", "--keep", "--hostname", "kept", images.Configured, "sh", "-c", "echo mine > /kept.txt");
        Assert.True(result.ExitCode == 0, result.ToString());
        var kept = Assert.Single(Containers(), c => File.Exists(Path.Join(c, "upper", "kept.txt")));
        Assert.Equal("mine\n", File.ReadAllText(Path.Join(kept, "upper", "kept.txt")));
        Directory.Delete(kept, recursive: true);
    }

    /// <summary>
    /// Decision 009: a foreground run's root-filesystem writes live on a tmpfs in its own mount namespace, so the host's
    /// containers/ID stays empty; --upper disk, or a --memory limit, keeps them in containers/ID/upper as before.
    /// </summary>
    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--upper", "disk" }, true)]
    [InlineData(new[] { "--memory", "64m" }, true)]
    public async Task ForegroundWritesReachTheDiskOnlyWhenAsked(string[] flags, bool onDisk)
    {
        var sync = Directory.CreateTempSubdirectory("agent-upper-").FullName;
        try
        {
            // The container writes to its root, says so through a volume, and waits until the test has looked.
            var run = images.Agent(["run", .. flags, "-v", $"{sync}:/sync", images.Configured, "sh", "-c",
                "echo data > /written.txt && touch /sync/written; i=0; while [ ! -e /sync/looked ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; cat /written.txt"]);
            for (var i = 0; i < 1200 && !File.Exists(Path.Join(sync, "written")) && !run.IsCompleted; i++) await Task.Delay(50);
            Assert.True(File.Exists(Path.Join(sync, "written")), run.IsCompleted ? (await run).ToString() : "the container did not write in time");
            var container = Assert.Single(Containers()); // this class runs its tests one at a time
            Assert.Equal(onDisk, File.Exists(Path.Join(container, "upper", "written.txt")));
            if (!onDisk) Assert.Empty(Directory.EnumerateFileSystemEntries(container));
            File.WriteAllText(Path.Join(sync, "looked"), "");
            var result = await run;
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("data\n", result.Stdout);
            Assert.Empty(Containers());
        }
        finally
        {
            Directory.Delete(sync, recursive: true);
        }
    }

    [Theory]
    [InlineData("--keep")]
    [InlineData("--snapshotter", "copy")]
    [InlineData("-d")]
    public async Task UpperTmpfsIsRefusedWhereTheUpperMustOutliveTheContainer(params string[] flags)
    {
        var before = Containers();
        var result = await images.Agent(["run", "--upper", "tmpfs", .. flags, images.Configured, "true"]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("runtime-agent: --upper tmpfs needs a foreground container removed at exit", result.Stderr);
        Assert.Equal(before, Containers());
    }

    [Fact]
    public async Task DevProcAndSysAreUsableButKernelKnobsAreReadOnly()
    {
        var result = await images.Agent("run", images.Configured, "sh", "-c",
            "echo x > /dev/null && head -c 3 /dev/zero | wc -c && head -c 8 /dev/urandom | wc -c && test -c /dev/pts/ptmx && test -d /dev/shm && echo devices-ok;" +
            "echo 1 > /proc/sys/kernel/domainname 2>/dev/null || echo proc-sys-ro;" +
            "touch /sys/x 2>/dev/null || echo sys-ro; touch /tmp/t && echo tmp-rw");
        Assert.Equal("3\n8\ndevices-ok\nproc-sys-ro\nsys-ro\ntmp-rw\n", result.Stdout);
    }

    private string[] Containers() =>
        Directory.Exists(images.ContainersDirectory) ? Directory.GetDirectories(images.ContainersDirectory).Order().ToArray() : [];
}
