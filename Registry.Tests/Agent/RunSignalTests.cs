using System.Diagnostics;

namespace Registry.Tests.Agent;

/// <summary>`run`: signals sent to the agent reach the container; --init reaps zombies; a stuck container is killed.</summary>
[Trait("Category", "Integration")]
public sealed class RunSignalTests(RunImages images) : IClassFixture<RunImages>
{
    private const int SigInt = 2, SigTerm = 15;

    [Theory]
    [InlineData(SigTerm, new string[0])]
    [InlineData(SigInt, new[] { "--init" })]
    public async Task SignalToTheAgentIsForwardedToTheContainer(int signal, string[] options)
    {
        using var agent = await AgentBinary.StartAsync(["--root", images.Root, "run", .. options, images.Configured, "sh", "-c",
            "trap 'echo trapped; exit 7' TERM INT; echo ready; while true; do sleep 0.05; done"]);
        await WaitForLine(agent, "ready");
        AgentBinary.Signal(agent, signal);

        // Bounded: a signal that never arrives (an agent started with SIGINT ignored, as `cmd &` in a script does) must
        // fail the test, not hang the run. Line by line, so a failure shows what did arrive.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var rest = new System.Text.StringBuilder();
        try
        {
            while (await agent.StandardOutput.ReadLineAsync(timeout.Token) is { } line) rest.AppendLine(line);
            await agent.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Once (CI on a 2-core VM, signal 2 with --init): no end within 30 s; over 800 runs here did not repeat it.
            var processes = ProcessTree.Describe(agent.Id);
            agent.Kill(entireProcessTree: true);
            var stderr = await agent.StandardError.ReadToEndAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
            Assert.Fail($"the run did not end within 30 s of signal {signal}; output after ready: '{rest}'; stderr: '{stderr}'; processes:\n{processes}");
        }
        Assert.Contains("trapped", rest.ToString());
        Assert.Equal(7, agent.ExitCode);
    }

    [Fact]
    public async Task ContainerIgnoringTermIsKilledAfterTheStopTimeout()
    {
        // sleep as PID 1 has no handler, so the kernel drops SIGTERM for it: only the stop timeout ends it.
        using var agent = await AgentBinary.StartAsync(["--root", images.Root, "run", "--stop-timeout", "1", images.Configured,
            "sh", "-c", "echo ready; exec sleep 600"]);
        await WaitForLine(agent, "ready");
        AgentBinary.Signal(agent, SigTerm);

        await agent.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(137, agent.ExitCode);
        Assert.Empty(Directory.GetDirectories(images.ContainersDirectory));
    }

    [Fact]
    public async Task InitReapsOrphanedZombies()
    {
        // The inner shell exits at once and orphans its background sleep to PID 1; when the sleep exits it is a
        // zombie until PID 1 waits for it. The agent's --init must; a plain `sleep` as PID 1 would not.
        const string script = "sh -c 'sleep 0.1 &'; sleep 1; cat /proc/[0-9]*/stat | cut -d' ' -f3 | grep -c Z; cat /proc/1/comm";
        var reaped = await images.Agent("run", "--init", images.Configured, "sh", "-c", script);
        Assert.Equal("0\nruntime-agent\n", reaped.Stdout);
    }

    private static async Task WaitForLine(Process agent, string expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await agent.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            if (line == expected) return;
        throw new InvalidOperationException($"agent ended before printing {expected}: {await agent.StandardError.ReadToEndAsync()}");
    }
}
