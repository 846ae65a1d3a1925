namespace Registry.Tests.Agent;

/// <summary>
/// `run -d` as root: the process the user waits for forks, before the .NET runtime starts, the process that starts the
/// container and stays as its monitor (runtime-agent/Containers/detach-entry.c, ForkedMonitor.cs). What a user must see:
/// the command's output ends with the id, the monitor is a separate process in a session of its own that holds none of
/// the command's stdio, and the lifecycle commands work on it; a failure before the start is one line and an exit code.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DetachedMonitorProcessTests(RunImages images) : IClassFixture<RunImages>
{
    [Fact]
    public async Task OutputEndsWithTheIdWhileTheMonitorKeepsTheContainerRunningAndStopEndsBoth()
    {
        var name = RunImages.ContainerName();
        try
        {
            using var cli = await AgentBinary.StartAsync(["--root", images.Root, "run", "-d", "--name", name, images.Configured, "sleep", "600"]);
            cli.StandardInput.Close();
            // Read to the end: a monitor that kept the command's stdout would hold this until the container exits.
            var stdout = await cli.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(cli.ExitCode == 0, $"run -d exited {cli.ExitCode}: {await cli.StandardError.ReadToEndAsync()}");
            Assert.Matches("^[0-9a-f]{12}\n$", stdout);

            var state = await images.InspectState(name);
            Assert.Equal("running", state.GetProperty("status").GetString());
            var monitor = state.GetProperty("monitorPid").GetInt32();
            Assert.NotEqual(cli.Id, monitor);
            Assert.True(ProcessTree.Alive(monitor), "the monitor is gone");
            var fields = StatFields(monitor);
            Assert.Equal(monitor.ToString(), fields[3]); // its own session: no terminal's signals reach it
            foreach (var fd in new[] { 0, 1, 2 }) Assert.Equal("/dev/null", new FileInfo($"/proc/{monitor}/fd/{fd}").LinkTarget);

            var container = state.GetProperty("pid").GetInt32();
            Assert.Equal(monitor.ToString(), StatFields(container)[1]); // the container is the monitor's child

            await images.AgentOk("stop", "-t", "1", name);
            Assert.False(ProcessTree.Alive(container), "stop left the container running");
            for (var i = 0; i < 200 && ProcessTree.Alive(monitor); i++) await Task.Delay(50);
            Assert.False(ProcessTree.Alive(monitor), "the monitor outlived its container");
            Assert.Equal("exited", (await images.InspectState(name)).GetProperty("status").GetString());
            await images.AgentOk("rm", name);
            Assert.False(Directory.Exists(Path.Join(images.ContainersDirectory, state.GetProperty("id").GetString()!)));
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task AFailureBeforeTheStartIsOneLineWithItsExitCodeAndNoId()
    {
        var missing = await images.Agent("run", "-dq", images.Configured, "no-such-command");
        Assert.Equal(127, missing.ExitCode);
        Assert.Equal("", missing.Stdout);
        var line = Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("runtime-agent: ", line);
        Assert.Contains("executable file not found", line);

        var notAnImage = await images.Agent("run", "-d", "--name", RunImages.ContainerName(), "127.0.0.1:1/no/such:image", "true");
        Assert.NotEqual(0, notAnImage.ExitCode);
        Assert.Equal("", notAnImage.Stdout);
        Assert.StartsWith("runtime-agent: ", notAnImage.Stderr);
    }

    /// <summary>The fields of /proc/PID/stat after the command's name: state, ppid, pgrp, session, …</summary>
    private static string[] StatFields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}
