using System.Text;

namespace Registry.Tests.Agent;

/// <summary>
/// <c>attach</c>'s replay of recent output after the container's run changed under it: the monitor keeps the current
/// run's terminal output in memory, and what it lacks comes from the log that earlier runs wrote (a restart by the
/// policy, under the same monitor; <c>start</c>, under a new one). Attached through pipes, so the bytes are exact.
/// As root against the published agent.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AttachReplayTests(RunImages images) : IClassFixture<RunImages>
{
    // Each run prints run-N; the first also prints 40 rows and fails (restarted once by the policy); later ones sleep.
    private const string Script =
        "n=$(cat /n 2>/dev/null || echo 0); n=$((n + 1)); echo $n >/n; echo run-$n; " +
        "if [ $n = 1 ]; then i=1; while [ $i -le 40 ]; do echo row-$i; i=$((i + 1)); done; exit 1; fi; exec sleep 600";

    [Fact]
    public async Task AttachReplaysEarlierRunsFromTheLogAfterARestartAndAfterStart()
    {
        var name = RunImages.ContainerName();
        await images.AgentOk("run", "-dit", "--name", name, "--restart", "on-failure:1", images.Configured, "sh", "-c", Script);
        try
        {
            await WaitForLog(name, "run-2"); // restarted by its monitor, whose memory holds only run-2
            Assert.Equal("row-39\r\nrow-40\r\nrun-2\r\n", await AttachAndDetach(name, "3", "run-2\r\n"));
            Assert.Equal("run-2\r\n", await AttachAndDetach(name, "1", "run-2\r\n")); // enough in memory: the log is not needed

            await images.AgentOk("stop", "-t", "1", name); // sleep as PID 1 ignores SIGTERM: killed after 1 s
            await images.AgentOk("start", name); // a new monitor, with nothing in memory yet but run-3
            await WaitForLog(name, "run-3");
            Assert.Equal("row-40\r\nrun-2\r\nrun-3\r\n", await AttachAndDetach(name, "3", "run-3\r\n"));
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    private async Task WaitForLog(string name, string line)
    {
        // The monitor shows a piece of output to attach before it logs it: once logged, the replay has it.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !(await images.AgentOk("logs", name)).Stdout.Contains(line); await Task.Delay(100))
            Assert.True(DateTime.UtcNow < deadline, $"the container never printed {line}");
    }

    /// <summary>Attaches through pipes, reads until <paramref name="last"/> (the replay's end), detaches with Ctrl-P Ctrl-Q.</summary>
    private async Task<string> AttachAndDetach(string name, string tail, string last)
    {
        using var attach = await AgentBinary.StartAsync(["--root", images.Root, "attach", "--tail", tail, name]);
        var stderr = attach.StandardError.ReadToEndAsync();
        var output = new StringBuilder();
        var buffer = new char[4096];
        var bound = TimeSpan.FromSeconds(60); // pipe reads ignore cancellation tokens: the waits are bounded instead
        try
        {
            while (!output.ToString().EndsWith(last, StringComparison.Ordinal))
            {
                var read = await attach.StandardOutput.ReadAsync(buffer).AsTask().WaitAsync(bound);
                if (read == 0) Assert.Fail($"attach ended before it printed {last}: {output} {await stderr}");
                output.Append(buffer, 0, read);
            }
            await attach.StandardInput.WriteAsync("\x10\x11");
            await attach.StandardInput.FlushAsync();
            output.Append(await attach.StandardOutput.ReadToEndAsync().WaitAsync(bound));
            await attach.WaitForExitAsync().WaitAsync(bound);
        }
        finally
        {
            if (!attach.HasExited) attach.Kill();
        }
        Assert.True(attach.ExitCode == 0, $"attach exited {attach.ExitCode}: {await stderr}");
        return output.ToString();
    }
}
