using System.Diagnostics;
using System.Text.Json;

namespace Registry.Tests.Agent;

/// <summary>
/// `run -d` and the lifecycle commands, against the published agent as root: a real monitor process, real
/// namespaces, state under --root. Each test names its containers and removes them (rm -f) at the end.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DetachedContainerTests(RunImages images) : IClassFixture<RunImages>
{
    [Fact]
    public async Task DetachedRunReturnsAtOnceAndPsShowsTheContainerRunning()
    {
        var name = Name();
        try
        {
            var clock = Stopwatch.StartNew();
            var run = await Ok("run", "-d", "--name", name, images.Configured, "sleep", "600");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "run -d waited for the container");
            Assert.Matches("^[0-9a-f]{12}$", run.Stdout.Trim());

            var ps = await Ok("ps");
            var line = Assert.Single(ps.Stdout.Split('\n'), l => l.EndsWith(name));
            Assert.StartsWith(run.Stdout.Trim(), line);
            Assert.Contains("Up ", line);

            var state = await Inspect(name);
            Assert.Equal("running", state.GetProperty("status").GetString());
            Assert.True(File.Exists($"/proc/{state.GetProperty("pid").GetInt32()}/stat"));
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task LogsFollowStreamsALinePrintedAfterTheFollowStarted()
    {
        var name = Name();
        try
        {
            // The container prints "late" only once /tmp/go exists, which the test creates after `logs -f` began.
            await Ok("run", "-d", "--name", name, images.Configured, "sh", "-c",
                "echo early; echo to-stderr >&2; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo late; sleep 600");
            using var follow = await AgentBinary.StartAsync(["--root", images.Root, "logs", "-f", name]);
            Assert.Equal("early", await follow.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal("to-stderr", await follow.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));

            await Ok("exec", name, "touch", "/tmp/go");
            Assert.Equal("late", await follow.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));

            await Ok("stop", "-t", "0", name);
            await follow.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token); // -f ends with the container
            var tail = await Ok("logs", "--tail", "1", "-t", name);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z late\n$", tail.Stdout);
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task StopEndsAProcessIgnoringTermAfterTheTimeout()
    {
        var name = Name();
        try
        {
            await Ok("run", "-d", "--name", name, images.Configured, "sh", "-c", "trap '' TERM; while true; do sleep 0.1; done");
            var clock = Stopwatch.StartNew();
            await Ok("stop", "-t", "1", name);
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));

            var state = await Inspect(name);
            Assert.Equal("exited", state.GetProperty("status").GetString());
            Assert.Equal(137, state.GetProperty("exitCode").GetInt32());
            Assert.Equal("137", (await Ok("wait", name)).Stdout.Trim());
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task StopSendsTermFirstAndAContainerThatHandlesItExitsCleanly()
    {
        var name = Name();
        try
        {
            await Ok("run", "-d", "--name", name, images.Configured, "sh", "-c", "trap 'echo bye; exit 0' TERM; echo ready; while true; do sleep 0.1; done");
            // run -d returns once the shell runs, not once it has set its trap: a PID 1 without a handler ignores SIGTERM.
            await WaitForLogs(name, "ready\n");
            await Ok("stop", "-t", "30", name);
            var state = await Inspect(name);
            Assert.Equal(0, state.GetProperty("exitCode").GetInt32());
            Assert.Equal("ready\nbye\n", (await Ok("logs", name)).Stdout);
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task OnFailureRestartsExactlyTheGivenNumberOfTimes()
    {
        var name = Name();
        try
        {
            await Ok("run", "-d", "--name", name, "--restart", "on-failure:3", images.Configured, "sh", "-c", "echo attempt; exit 3");
            Assert.Equal("3", (await Ok("wait", name)).Stdout.Trim());
            var state = await Inspect(name);
            Assert.Equal(3, state.GetProperty("restartCount").GetInt32());
            Assert.Equal("exited", state.GetProperty("status").GetString());
            Assert.Equal(4, (await Ok("logs", name)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task KillSendsTheSignalAndStartRunsTheStoppedContainerAgain()
    {
        var name = Name();
        try
        {
            await Ok("run", "-d", "--name", name, images.Configured, "sh", "-c",
                "trap 'echo got-usr1; exit 5' USR1; echo started >>/persist; echo ready; while true; do sleep 0.05; done");
            // run -d returns once the shell runs, not once it has set its trap: a PID 1 without a handler ignores SIGUSR1.
            await WaitForLogs(name, "ready\n");
            await Ok("kill", "-s", "USR1", name);
            Assert.Equal("5", (await Ok("wait", name)).Stdout.Trim());

            await Ok("start", name);
            Assert.Equal("running", (await Inspect(name)).GetProperty("status").GetString());
            var seen = await Ok("exec", name, "cat", "/persist"); // the upper layer outlived the first run
            Assert.Equal("started\nstarted\n", seen.Stdout);
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task SigkilledMonitorLeavesAnExitedContainerThatRmCleansUp()
    {
        var name = Name();
        var run = await Ok("run", "-d", "--name", name, images.Configured, "sleep", "600");
        var id = run.Stdout.Trim();
        var state = await Inspect(name);
        var (monitor, pid) = (state.GetProperty("monitorPid").GetInt32(), state.GetProperty("pid").GetInt32());
        var rootfs = Path.Join(images.ContainersDirectory, id, "rootfs");

        Process.GetProcessById(monitor).Kill();
        await WaitUntil(() => !File.Exists($"/proc/{monitor}/stat") || File.ReadAllText($"/proc/{monitor}/stat").Contains(") Z "));

        var ps = await Ok("ps", "-a");
        Assert.Contains("Exited (137)", Assert.Single(ps.Stdout.Split('\n'), l => l.EndsWith(name)));
        Assert.DoesNotContain(name, (await Ok("ps")).Stdout);
        Assert.False(ProcessTree.Alive(pid), "the container outlived its monitor");

        await Ok("rm", name);
        Assert.False(Directory.Exists(Path.Join(images.ContainersDirectory, id)));
        Assert.DoesNotContain(rootfs, File.ReadAllText("/proc/self/mountinfo"));
        Assert.DoesNotContain(name, (await Ok("ps", "-a")).Stdout);
    }

    [Fact]
    public async Task RmForceRemovesAContainerWhoseSpecCannotBeRead()
    {
        // An older agent could leave spec.json half-written (two writers, or a kill mid-write); rm must still remove the
        // container rather than fail on it every time.
        var name = Name();
        var id = (await Ok("run", "-d", "--name", name, images.Configured, "sleep", "600")).Stdout.Trim();
        var spec = Path.Join(images.ContainersDirectory, id, "spec.json");
        File.WriteAllText(spec, File.ReadAllText(spec)[..40]);

        await Ok("rm", "-f", name);
        Assert.False(Directory.Exists(Path.Join(images.ContainersDirectory, id)));
        Assert.DoesNotContain(name, (await Ok("ps", "-a")).Stdout);
    }

    [Fact]
    public async Task BadInputGetsOneClearLineAndLeavesNothingBehind()
    {
        var before = Directory.Exists(images.ContainersDirectory) ? Directory.GetDirectories(images.ContainersDirectory).Length : 0;
        var missing = await images.Agent("run", "-d", images.Configured, "no-such-command");
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("executable file not found", missing.Stderr);
        Assert.Equal(before, Directory.GetDirectories(images.ContainersDirectory).Length);

        var policy = await images.Agent("run", "-d", "--restart", "sometimes", images.Configured, "true");
        Assert.Equal(1, policy.ExitCode);
        Assert.Equal("runtime-agent: invalid restart policy 'sometimes': use no, on-failure[:N] (N > 0) or always\n", policy.Stderr);

        var unknown = await images.Agent("logs", "no-such-container");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("runtime-agent: no such container: no-such-container\n", unknown.Stderr);

        var name = Name();
        try
        {
            await Ok("run", "-d", "--name", name, images.Configured, "sleep", "600");
            var taken = await images.Agent("run", "-d", "--name", name, images.Configured, "true");
            Assert.Equal(1, taken.ExitCode);
            Assert.Contains($"'{name}' is already in use", taken.Stderr);
            var running = await images.Agent("rm", name);
            Assert.Equal(1, running.ExitCode);
            Assert.Contains("stop it first, or use rm -f", running.Stderr);
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    private static string Name() => $"t{Guid.NewGuid():N}"[..13];

    private async Task<AgentResult> Ok(params string[] args)
    {
        var result = await images.Agent(args);
        Assert.True(result.ExitCode == 0, $"runtime-agent {string.Join(' ', args)} failed: {result}");
        return result;
    }

    private async Task<JsonElement> Inspect(string name)
    {
        using var document = JsonDocument.Parse((await Ok("inspect", name)).Stdout);
        return document.RootElement[0].GetProperty("state").Clone();
    }

    private async Task WaitForLogs(string name, string text)
    {
        for (var i = 0; i < 600 && !(await Ok("logs", name)).Stdout.Contains(text); i++) await Task.Delay(50);
        Assert.Contains(text, (await Ok("logs", name)).Stdout);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition());
    }
}
