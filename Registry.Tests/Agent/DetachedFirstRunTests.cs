namespace Registry.Tests.Agent;

/// <summary>
/// A detached container's first run is started while its records are written (as root by the forked `run -d` process
/// itself: runtime-agent/Containers/README.md), its restarts by the monitor alone, a foreground run by the CLI: the
/// container's process must see the same thing in all three.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DetachedFirstRunTests(RunImages images) : IClassFixture<RunImages>
{
    // Capabilities, no_new_privs and seccomp; every mount point with its options; umask, working directory, user,
    // hostname, environment and /dev. Mount ids and sources differ from one container to the next, so they are left out.
    private const string Probe =
        "grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status; cut -d' ' -f5,6 /proc/self/mountinfo; "
        + "umask; pwd; id; hostname; env | sort; ls /dev; exit 3";

    private static readonly string[] Options = ["--hostname", "probe", "-e", "X=1", "-w", "/data"];

    [Fact]
    public async Task FirstRunAndRestartSeeWhatAForegroundRunSees()
    {
        var foreground = await images.Agent(["run", .. Options, images.Configured, "sh", "-c", Probe]);
        Assert.True(foreground.ExitCode == 3, $"foreground run: {foreground}");
        Assert.Contains("Seccomp:\t2", foreground.Stdout);

        var name = $"t{Guid.NewGuid():N}"[..13];
        try
        {
            await images.AgentOk(["run", "-d", "--name", name, "--restart", "on-failure:1", .. Options, images.Configured, "sh", "-c", Probe]);
            Assert.Equal("3", (await images.AgentOk("wait", name)).Stdout.Trim());
            var logs = (await images.AgentOk("logs", name)).Stdout;
            Assert.Equal(foreground.Stdout + foreground.Stdout, logs); // the first run, then the restart
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }
}
