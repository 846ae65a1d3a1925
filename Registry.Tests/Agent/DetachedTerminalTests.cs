namespace Registry.Tests.Agent;

/// <summary>
/// `run -dit` and `attach`, as a person uses them from a real terminal (tmux): the container's shell runs on its own
/// pty under the monitor; attach shows it at the attaching terminal's size, Ctrl-P Ctrl-Q (or --detach-keys) leaves it
/// running, and attach ends with the container's exit code when the shell exits; `exec -it` gets a pty of its own.
/// As root against the published agent.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DetachedTerminalTests(RunImages images) : IClassFixture<RunImages>
{
    [Fact]
    public async Task AttachDetachAndAttachAgainUntilTheShellExits()
    {
        var name = RunImages.ContainerName();
        await images.AgentOk("run", "-dit", "--name", name, images.Configured, "sh");
        var agent = await AgentBinary.PathAsync();
        try
        {
            await using (var first = await TmuxTerminal.StartAsync(images.Root, 100, 30, errors =>
                $"{agent} --root {images.Root} attach {name} 2>{errors}; echo attach-exited-$?; sleep 600"))
            {
                await first.SendKeys("tty; stty size", "Enter");
                var screen = await first.WaitForScreen(s => s.Contains("30 100")); // attach gave the container its size
                Assert.Contains("/dev/pts/0", screen);
                await first.SendKeys("C-p", "C-q");
                await first.WaitForScreen(s => s.Contains("attach-exited-0"));
            }
            Assert.Equal("running", (await images.InspectState(name)).GetProperty("status").GetString());

            await using (var second = await TmuxTerminal.StartAsync(images.Root, 80, 24, errors =>
                $"{agent} --root {images.Root} attach --detach-keys ctrl-x {name} 2>{errors}; echo attach-exited-$?; sleep 600"))
            {
                // Ctrl-P alone is input now: the shell gets it (busybox recalls the previous line), nothing detaches.
                await second.SendKeys("C-p", "C-u", "echo $((6 * 7))", "Enter");
                await second.WaitForScreen(s => s.Contains("42"));
                await second.Resize(120, 40);
                await second.SendKeys("stty size", "Enter");
                await second.WaitForScreen(s => s.Contains("40 120"));
                await second.SendKeys("exit 3", "Enter");
                await second.WaitForScreen(s => s.Contains("attach-exited-3"));
            }
            var state = await images.InspectState(name);
            Assert.Equal("exited", state.GetProperty("status").GetString());
            Assert.Equal(3, state.GetProperty("exitCode").GetInt32());
            Assert.Contains("42", (await images.AgentOk("logs", name)).Stdout); // the terminal's output is logged too
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task AttachToAShellUnderInitFollowsTheSizeAndCtrlCAndEndsWithItsExitCode()
    {
        var name = RunImages.ContainerName();
        await images.AgentOk("run", "-dit", "--init", "--name", name, images.Configured, "sh");
        var agent = await AgentBinary.PathAsync();
        try
        {
            await using (var terminal = await TmuxTerminal.StartAsync(images.Root, 100, 30, errors =>
                $"{agent} --root {images.Root} attach {name} 2>{errors}; echo attach-exited-$?; sleep 600"))
            {
                await ShellUnderInit.FollowsTheTerminalAsync(terminal);
                await terminal.SendKeys("exit 5", "Enter");
                await terminal.WaitForScreen(s => s.Contains("attach-exited-5"));
            }
            var state = await images.InspectState(name);
            Assert.Equal("exited", state.GetProperty("status").GetString());
            Assert.Equal(5, state.GetProperty("exitCode").GetInt32());
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task AttachShowsAScreenfulOfRecentOutputFirstOrTheTailAskedFor()
    {
        var name = RunImages.ContainerName();
        await images.AgentOk("run", "-dit", "--name", name, images.Configured, "sh", "-c",
            "i=1; while [ $i -le 50 ]; do echo row-$i-end; i=$((i + 1)); done; exec sh");
        var agent = await AgentBinary.PathAsync();
        try
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(30); !(await images.AgentOk("logs", name)).Stdout.Contains("row-50-end"); await Task.Delay(100))
                Assert.True(DateTime.UtcNow < deadline, "the container never printed its 50 rows");

            await using (var screenful = await TmuxTerminal.StartAsync(images.Root, 100, 20, errors =>
                $"{agent} --root {images.Root} attach {name} 2>{errors}; echo attach-exited-$?; sleep 600"))
            {
                // Nothing typed yet: the rows and the prompt on the screen are the replay of what was printed before.
                var screen = await screenful.WaitForScreen(s => s.Contains("row-50-end") && s.Contains("/app #"));
                Assert.Contains("row-45-end", screen);
                await screenful.SendKeys("C-p", "C-q");
                await screenful.WaitForScreen(s => s.Contains("attach-exited-0"));
            }

            await using var tail = await TmuxTerminal.StartAsync(images.Root, 100, 30, errors =>
                $"{agent} --root {images.Root} attach --tail 10 {name} 2>{errors}; echo attach-exited-$?; sleep 600");
            // The last 10 lines: the shell's banner and prompt (about 6 lines) and the last few rows, on a 30-row screen.
            var tailScreen = await tail.WaitForScreen(s => s.Contains("row-50-end") && s.Contains("/app #"));
            Assert.Contains("row-48-end", tailScreen);
            Assert.DoesNotContain("row-44-end", tailScreen);
            await tail.SendKeys("exit 6", "Enter");
            await tail.WaitForScreen(s => s.Contains("attach-exited-6"));
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task ExecWithATerminalGetsItsOwnPtyInTheContainer()
    {
        var name = RunImages.ContainerName();
        await images.AgentOk("run", "-d", "--name", name, images.Configured, "sleep", "600");
        var agent = await AgentBinary.PathAsync();
        try
        {
            await using var terminal = await TmuxTerminal.StartAsync(images.Root, 100, 30, errors =>
                $"{agent} --root {images.Root} exec -it {name} sh 2>{errors}; echo exec-exited-$?; sleep 600");
            await terminal.WaitForScreen(s => s.Contains("/app #")); // the shell's prompt: it is on a terminal, in WorkingDir
            await terminal.SendKeys("tty; stty size", "Enter");
            var screen = await terminal.WaitForScreen(s => s.Contains("30 100"));
            Assert.Contains("/dev/pts/0", screen); // a pty of the container's devpts
            await terminal.SendKeys("exit 4", "Enter");
            await terminal.WaitForScreen(s => s.Contains("exec-exited-4"));
            Assert.Equal("running", (await images.InspectState(name)).GetProperty("status").GetString());
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task AttachRefusesAContainerWithoutATerminalAndBadDetachKeys()
    {
        var name = RunImages.ContainerName();
        await images.AgentOk("run", "-d", "--name", name, images.Configured, "sleep", "600");
        try
        {
            var refused = await images.Agent("attach", name);
            Assert.Equal(1, refused.ExitCode);
            Assert.Equal($"runtime-agent: container {name} has no terminal: attach works with containers run with -t (use logs -f)\n", refused.Stderr);

            var badKeys = await images.Agent("attach", "--detach-keys", "ctrl-1", name);
            Assert.Equal(1, badKeys.ExitCode);
            Assert.StartsWith("runtime-agent: invalid detach key 'ctrl-1'", badKeys.Stderr);
            Assert.Single(badKeys.Stderr.TrimEnd('\n').Split('\n'));
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }
}
