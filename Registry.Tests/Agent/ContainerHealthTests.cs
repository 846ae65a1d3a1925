using System.Text.Json;

namespace Registry.Tests.Agent;

/// <summary>
/// Health checks of detached containers, run by the monitor inside the container: the image's HEALTHCHECK and the
/// --health-* flags; the status goes starting → healthy → unhealthy as the check's outcome changes, shown by ps and
/// inspect. As root against the published agent.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ContainerHealthTests(RunImages images) : IClassFixture<RunImages>
{
    [Fact]
    public async Task HealthCmdTurnsHealthyThenUnhealthyAsTheCheckPassesThenFails()
    {
        var name = RunImages.ContainerName();
        try
        {
            await images.AgentOk("run", "-d", "--name", name, "--health-cmd", "echo checked; test -e /tmp/ok",
                "--health-interval", "200ms", "--health-retries", "2", images.Configured, "sleep", "600");
            Assert.Equal("starting", Status(await images.InspectState(name)));
            Assert.Contains("(health: starting)", await PsLine(name));

            await images.AgentOk("exec", name, "touch", "/tmp/ok");
            var healthy = await WaitForStatus(name, "healthy");
            Assert.Contains("(healthy)", await PsLine(name));
            var passed = healthy.GetProperty("health").GetProperty("log").EnumerateArray().Last();
            Assert.Equal(0, passed.GetProperty("exitCode").GetInt32());
            Assert.Equal("checked\n", passed.GetProperty("output").GetString());

            await images.AgentOk("exec", name, "rm", "/tmp/ok");
            var unhealthy = await WaitForStatus(name, "unhealthy");
            Assert.True(unhealthy.GetProperty("health").GetProperty("failingStreak").GetInt32() >= 2);
            Assert.Equal(1, unhealthy.GetProperty("health").GetProperty("log").EnumerateArray().Last().GetProperty("exitCode").GetInt32());
            Assert.Contains("(unhealthy)", await PsLine(name));
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task TheImagesHealthcheckRunsAsTheContainersUserAndNoHealthcheckTurnsItOff()
    {
        var name = RunImages.ContainerName();
        var off = RunImages.ContainerName();
        try
        {
            // The image's check passes once /tmp/healthy exists and records `id -u`: the check runs as the container's user.
            await images.AgentOk("run", "-d", "--name", name, "-u", "65534", images.Healthy, "sh", "-c", "touch /tmp/healthy; sleep 600");
            var healthy = await WaitForStatus(name, "healthy");
            Assert.Equal("65534\n", healthy.GetProperty("health").GetProperty("log").EnumerateArray().Last().GetProperty("output").GetString());

            await images.AgentOk("run", "-d", "--name", off, "--no-healthcheck", images.Healthy, "sleep", "600");
            Assert.False((await images.InspectState(off)).TryGetProperty("health", out _));
            var line = await PsLine(off);
            Assert.DoesNotContain("(health", line);
            Assert.DoesNotContain("(unhealthy)", line);
        }
        finally
        {
            await images.Agent("rm", "-f", name);
            await images.Agent("rm", "-f", off);
        }
    }

    [Fact]
    public async Task ACheckThatOutlivesItsTimeoutFailsAndIsKilled()
    {
        var name = RunImages.ContainerName();
        try
        {
            await images.AgentOk("run", "-d", "--name", name, "--health-cmd", "sleep 30; true",
                "--health-interval", "100ms", "--health-timeout", "300ms", "--health-retries", "1", images.Configured, "sleep", "600");
            var state = await WaitForStatus(name, "unhealthy");
            var failed = state.GetProperty("health").GetProperty("log").EnumerateArray().Last();
            Assert.Equal(-1, failed.GetProperty("exitCode").GetInt32());
            Assert.Contains("exceeded timeout", failed.GetProperty("output").GetString());
            // Killed with its process group, not left running: at most the check in progress has a `sleep 30`.
            await Task.Delay(200);
            var ps = (await images.AgentOk("exec", name, "ps")).Stdout;
            // (A killed check's orphans stay zombies, "[sleep]": PID 1 here is `sleep 600`, which reaps nothing.)
            Assert.True(ps.Split('\n').Count(l => l.EndsWith(" sleep 30")) <= 1, ps);
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task AForegroundRunsCheckTurnsHealthyThenUnhealthyAsSeenFromOtherInvocationsAndItsRecordGoesWithIt()
    {
        // The image's check (every 200 ms) passes while /tmp/healthy exists and prints the uid it runs as; the container
        // ends with 7 once /tmp/stop appears. The test drives both files through exec, another agent invocation.
        using var run = await AgentBinary.StartAsync(["--root", images.Root, "run", "-u", "65534", "--health-retries", "2", images.Healthy,
            "sh", "-c", "touch /tmp/healthy; until [ -e /tmp/stop ]; do sleep 0.1; done; exit 7"]);
        run.StandardInput.Close();
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        string? id = null;
        try
        {
            id = await WaitForForegroundContainer("/tmp/stop");
            var healthy = await WaitForStatus(id, "healthy");
            Assert.Equal("65534\n", healthy.GetProperty("health").GetProperty("log").EnumerateArray().Last().GetProperty("output").GetString());
            Assert.Equal("running", healthy.GetProperty("status").GetString());
            Assert.Contains("(healthy)", await PsLine(id));

            await images.AgentOk("exec", id, "rm", "/tmp/healthy");
            var unhealthy = await WaitForStatus(id, "unhealthy");
            Assert.True(unhealthy.GetProperty("health").GetProperty("failingStreak").GetInt32() >= 2);
            Assert.Contains("(unhealthy)", await PsLine(id));

            await images.AgentOk("exec", id, "touch", "/tmp/stop");
            await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(7, run.ExitCode);
            Assert.Equal("", await stdout); // the checks print nothing on the run's own output
            Assert.Equal("", await stderr);
            Assert.DoesNotContain(id, (await images.AgentOk("ps", "-a")).Stdout);
            Assert.False(Directory.Exists(Path.Join(images.ContainersDirectory, id)));
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
            if (id is not null) await images.Agent("rm", "-f", id);
        }
    }

    [Fact]
    public async Task StopFromAnotherInvocationEndsAForegroundRunWithACheck()
    {
        using var run = await AgentBinary.StartAsync(["--root", images.Root, "run", "--health-cmd", "true", "--health-interval", "100ms",
            images.Configured, "sh", "-c", "trap 'exit 3' TERM; echo started; while true; do sleep 0.1; done"]);
        run.StandardInput.Close();
        string? id = null;
        try
        {
            Assert.Equal("started", await run.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))); // the trap is set
            id = await WaitForForegroundContainer("trap");
            await WaitForStatus(id, "healthy");
            await images.AgentOk("stop", id);
            await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(3, run.ExitCode);
            Assert.DoesNotContain(id, (await images.AgentOk("ps", "-a")).Stdout);
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
            if (id is not null) await images.Agent("rm", "-f", id);
        }
    }

    [Fact]
    public async Task HealthOnFailureKillEndsAForegroundRunAndStopEndsADetachedOneWithoutARestart()
    {
        var foreground = await images.Agent("run", "--health-cmd", "false", "--health-interval", "100ms", "--health-retries", "1",
            "--health-on-failure", "kill", images.Configured, "sleep", "600");
        Assert.Equal(137, foreground.ExitCode);
        Assert.Equal("", foreground.Stderr);

        var name = RunImages.ContainerName();
        try
        {
            // The check fails only once the shell's trap is set, so the stop signal is handled: exit 4, and no restart.
            await images.AgentOk("run", "-d", "--name", name, "--restart", "on-failure", "--health-cmd", "test ! -e /tmp/trapped",
                "--health-interval", "100ms", "--health-retries", "1", "--health-on-failure", "stop", images.Configured,
                "sh", "-c", "trap 'exit 4' TERM; touch /tmp/trapped; while true; do sleep 0.1; done");
            await images.Agent("wait", name);
            var state = await images.InspectState(name);
            Assert.Equal("exited", state.GetProperty("status").GetString());
            Assert.Equal(4, state.GetProperty("exitCode").GetInt32());
            Assert.Equal(0, state.GetProperty("restartCount").GetInt32());
            Assert.Equal("unhealthy", Status(state));
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task HealthOnFailureRestartRestartsADetachedContainerThroughItsMonitorAndAForegroundRunRefusesIt()
    {
        var foreground = await images.Agent("run", "--health-cmd", "true", "--health-on-failure", "restart", images.Configured, "true");
        Assert.Equal(1, foreground.ExitCode);
        Assert.Equal("runtime-agent: --health-on-failure restart needs --detach (-d); a foreground run can use kill or stop", foreground.Stderr.Trim());

        var name = RunImages.ContainerName();
        try
        {
            // Each run counts itself and clears the fault the check looks for (the start period covers the time it takes);
            // it handles the stop signal (exit 5). The restart policy is "no": the restart is the check's doing.
            await images.AgentOk("run", "-d", "--name", name, "--health-cmd", "test ! -e /fault", "--health-interval", "100ms",
                "--health-retries", "1", "--health-start-period", "2s", "--health-on-failure", "restart", images.Configured,
                "sh", "-c", "rm -f /fault; echo run >> /runs; trap 'exit 5' TERM; while true; do sleep 0.1; done");
            await WaitForStatus(name, "healthy");
            await images.AgentOk("exec", name, "touch", "/fault");

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            var state = await images.InspectState(name);
            while (!(state.GetProperty("restartCount").GetInt32() >= 1 && state.GetProperty("status").GetString() == "running" && Status(state) == "healthy"))
            {
                Assert.True(DateTime.UtcNow < deadline, $"never restarted and healthy again: {state}");
                await Task.Delay(100);
                state = await images.InspectState(name);
            }
            Assert.Equal(5, state.GetProperty("exitCode").GetInt32()); // the last run ended by the stop signal, not SIGKILL
            var restarts = state.GetProperty("restartCount").GetInt32(); // 1, unless a loaded machine was slower than the start period
            Assert.Equal(restarts + 1, (await images.AgentOk("exec", name, "cat", "/runs")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            using var ps = JsonDocument.Parse((await images.AgentOk("ps", "--format", "json")).Stdout);
            var listed = Assert.Single(ps.RootElement.EnumerateArray(), c => c.GetProperty("name").GetString() == name);
            Assert.Equal(restarts, listed.GetProperty("restartCount").GetInt32());
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task BadHealthFlagsFailWithOneLineBeforeAnythingStarts()
    {
        var bad = await images.Agent("run", "-d", "--health-cmd", "true", "--health-interval", "soon", images.Configured, "sleep", "1");
        Assert.Equal(1, bad.ExitCode);
        Assert.Single(bad.Stderr.Trim().Split('\n'));
        Assert.Contains("--health-interval", bad.Stderr);
        var foreground = await images.Agent("run", "--health-cmd", "true", "--health-retries", "0", images.Configured, "true");
        Assert.Equal(1, foreground.ExitCode);
        Assert.Equal("runtime-agent: --health-retries=0: expected 1 or more", foreground.Stderr.Trim());
    }

    private static string? Status(JsonElement state) => state.GetProperty("health").GetProperty("status").GetString();

    private async Task<string> PsLine(string name) =>
        Assert.Single((await images.AgentOk("ps")).Stdout.Split('\n'), l => l.EndsWith(name));

    /// <summary>The id of the running container whose command mentions <paramref name="marker"/>, once ps lists it.</summary>
    private async Task<string> WaitForForegroundContainer(string marker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var ps = JsonDocument.Parse((await images.AgentOk("ps", "--format", "json")).Stdout);
            var found = ps.RootElement.EnumerateArray()
                .FirstOrDefault(c => c.GetProperty("command").EnumerateArray().Any(a => a.GetString()!.Contains(marker)));
            if (found.ValueKind == JsonValueKind.Object) return found.GetProperty("id").GetString()!;
            Assert.True(DateTime.UtcNow < deadline, "the foreground container never appeared in ps");
            await Task.Delay(100);
        }
    }

    private async Task<JsonElement> WaitForStatus(string name, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var state = await images.InspectState(name);
            if (Status(state) == status) return state;
            Assert.True(DateTime.UtcNow < deadline, $"health never became {status}: {state}");
            await Task.Delay(100);
        }
    }
}
