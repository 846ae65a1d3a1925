namespace Registry.Tests.Agent;

/// <summary>`run`: the container's process — exit codes, PID 1, hostname, /proc, image config and overrides, users.</summary>
[Trait("Category", "Integration")]
public sealed class RunProcessTests(RunImages images) : IClassFixture<RunImages>
{
    [Theory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 3", 3)]
    public async Task AgentExitsWithTheContainersExitCode(string script, int expected)
    {
        var result = await images.Agent("run", images.Configured, "sh", "-c", script);
        Assert.True(expected == result.ExitCode, result.ToString());
    }

    [Fact]
    public async Task ContainerKilledBySignalExitsWith128PlusSignal()
    {
        // With --init the shell is PID 2; PID 1 itself cannot be SIGKILLed from inside its namespace.
        var result = await images.Agent("run", "--init", images.Configured, "sh", "-c", "kill -9 $$; echo survived");
        Assert.True(result.ExitCode == 137, result.ToString());
        Assert.DoesNotContain("survived", result.Stdout);
    }

    [Fact]
    public async Task CommandRunsAsPid1()
    {
        var result = await images.Agent("run", images.Configured, "sh", "-c", "echo $$");
        Assert.Equal("1", result.Stdout.Trim());
    }

    [Fact]
    public async Task CommandIsStartedDirectlyAndTheStartGateIsGone()
    {
        // Direct launch (docs/decisions/002): PID 1 is the command itself, not an agent in between, and the
        // FIFO that held it before execve is removed from its /dev right after the start. Not before the command's first
        // instruction: the agent unlinks it once posix_spawn has returned, so a fast command may still see it; it waits
        // (bounded, 2 s) for it to go.
        var direct = await images.Agent("run", images.Configured, "sh", "-c", "tr '\\0' ' ' </proc/1/cmdline; echo; " +
            "i=0; while [ -e /dev/.runtime-agent-start ] || [ -e /dev/.runtime-agent-start-arrived ]; do [ $((i+=1)) -gt 200 ] && break; " +
            "sleep 0.01; done; ls -a /dev");
        Assert.True(direct.ExitCode == 0, direct.ToString());
        Assert.StartsWith("sh -c", direct.Stdout);
        var listing = direct.Stdout.Split('\n')[1..]; // after the command line, which names the FIFO itself
        Assert.DoesNotContain(listing, entry => entry.StartsWith(".runtime-agent-start"));
        Assert.Contains("null", listing);

        var withInit = await images.Agent("run", "--init", images.Configured, "cat", "/proc/1/comm");
        Assert.Equal("runtime-agent", withInit.Stdout.Trim());
    }

    [Fact]
    public async Task ProcShowsOnlyTheContainersProcesses()
    {
        var result = await images.Agent("run", images.Configured, "sh", "-c", "cd /proc && echo [0-9]*");
        var pids = result.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("1", pids);
        Assert.True(pids.Length <= 2, result.Stdout); // the shell, and at most one short-lived child
        Assert.DoesNotContain(Environment.ProcessId.ToString(), pids);
    }

    [Fact]
    public async Task HostnameIsTheContainersOwn()
    {
        var named = await images.Agent("run", "--hostname", "web-1", images.Configured, "hostname");
        Assert.Equal("web-1", named.Stdout.Trim());

        var byDefault = await images.Agent("run", images.Configured, "sh", "-c", "hostname; echo $HOSTNAME");
        var lines = byDefault.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^[0-9a-f]{12}$", lines[0]);
        Assert.Equal(lines[0], lines[1]);
        Assert.NotEqual(Environment.MachineName, lines[0]);
    }

    [Fact]
    public async Task ImageConfigEnvWorkingDirAndCmdApply()
    {
        var result = await images.Agent("run", images.Configured);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("cmd from-image\n/app\n", result.Stdout);
    }

    [Fact]
    public async Task OptionsOverrideTheImageConfig()
    {
        var result = await images.Agent("run", "-e", "FOO=from-cli", "-e", "BAR=2", "-w", "/tmp/work", images.Configured,
            "sh", "-c", "echo $FOO $BAR; pwd");
        Assert.Equal("from-cli 2\n/tmp/work\n", result.Stdout);

        var entrypoint = await images.Agent("run", "--entrypoint", "/bin/echo", images.Configured, "-n", "a", "b");
        Assert.Equal("a b", entrypoint.Stdout);
    }

    [Fact]
    public async Task UserIsResolvedFromTheImagesPasswd()
    {
        var byName = await images.Agent("run", "-u", "app", images.Configured, "sh", "-c", "id -u; id -g; echo $HOME");
        Assert.Equal("1000\n1000\n/home/app\n", byName.Stdout);

        var numeric = await images.Agent("run", "-u", "4321:99", images.Configured, "sh", "-c", "id -u; id -g");
        Assert.Equal("4321\n99\n", numeric.Stdout);

        var unknown = await images.Agent("run", "-u", "ghost", images.Configured, "true");
        Assert.Equal(125, unknown.ExitCode);
        Assert.Contains("ghost", unknown.Stderr);
    }

    [Fact]
    public async Task MissingCommandExits127()
    {
        var result = await images.Agent("run", images.Configured, "no-such-command");
        Assert.Equal(127, result.ExitCode);
        Assert.Contains("no-such-command", result.Stderr);
    }

    [Fact]
    public async Task NetworkIsPrivateUnlessHost()
    {
        var isolated = await images.Agent("run", images.Configured, "ls", "/sys/class/net");
        Assert.Equal("lo", isolated.Stdout.Trim());

        var host = await images.Agent("run", "--net", "host", images.Configured, "ls", "/sys/class/net");
        Assert.Equal(Directory.GetFileSystemEntries("/sys/class/net").Select(Path.GetFileName).Order(),
            host.Stdout.Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries).Order());
    }
}
