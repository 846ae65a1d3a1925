namespace Registry.Tests.Agent;

/// <summary>
/// `run -it` driven through a real terminal: a tmux session of a fixed size runs the agent, the test types into it
/// and reads the screen. The container's shell sees a terminal (a prompt), the window size of tmux, and a resize.
/// As root against the published agent.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RunTerminalTests(RunImages images) : IClassFixture<RunImages>
{
    [Fact]
    public async Task InteractiveShellShowsAPromptAndFollowsTheWindowSize()
    {
        var agent = await AgentBinary.PathAsync();
        await using var terminal = await TmuxTerminal.StartAsync(images.Root, 100, 30, errors =>
            $"{agent} --root {images.Root} run -it {images.Configured} sh 2>{errors}; echo agent-exited-$?; sleep 600");
        await terminal.WaitForScreen(s => s.Contains("/app #")); // busybox sh's prompt on a terminal, in WorkingDir (capture-pane trims the space)
        await terminal.SendKeys("tty; stty size", "Enter");
        var screen = await terminal.WaitForScreen(s => s.Contains("30 100"));
        Assert.Contains("/dev/pts/0", screen); // the container's own devpts, not a host pty

        await terminal.Resize(120, 40);
        await terminal.SendKeys("stty size", "Enter");
        await terminal.WaitForScreen(s => s.Contains("40 120"));

        await terminal.SendKeys("exit 3", "Enter");
        await terminal.WaitForScreen(s => s.Contains("agent-exited-3"));
    }

    [Fact]
    public async Task InteractiveShellUnderInitGetsTheTerminalItsSizeAndCtrlC()
    {
        var agent = await AgentBinary.PathAsync();
        await using var terminal = await TmuxTerminal.StartAsync(images.Root, 100, 30, errors =>
            $"{agent} --root {images.Root} run -it --init {images.Configured} sh 2>{errors}; echo agent-exited-$?; sleep 600");
        await terminal.WaitForScreen(s => s.Contains("/app #"));
        await ShellUnderInit.FollowsTheTerminalAsync(terminal);

        await terminal.SendKeys("exit 3", "Enter");
        await terminal.WaitForScreen(s => s.Contains("agent-exited-3"));
    }

    [Fact]
    public async Task ConsoleIsTheContainersTerminal()
    {
        var agent = await AgentBinary.PathAsync();
        await using var terminal = await TmuxTerminal.StartAsync(images.Root, 100, 30, errors =>
            $"{agent} --root {images.Root} run -t {images.Configured} sh -c \"stat -c 'dev %t:%T' /dev/console /dev/pts/0; echo via-console >/dev/console\" 2>{errors}; echo agent-exited-$?; sleep 600");
        var screen = await terminal.WaitForScreen(s => s.Contains("agent-exited-"));

        Assert.Contains("agent-exited-0", screen);
        var devices = screen.Split('\n').Where(l => l.StartsWith("dev ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, devices.Count);
        Assert.Equal(devices[0], devices[1]); // /dev/console is the pty's slave, bound as runc binds it
        Assert.Contains("via-console", screen);
    }
}
