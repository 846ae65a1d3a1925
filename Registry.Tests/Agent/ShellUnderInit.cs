namespace Registry.Tests.Agent;

/// <summary>
/// What a shell started with <c>-t --init</c> must see, typed and read through a 100×30 tmux terminal: the agent's
/// init is PID 1 and the shell its child, the shell is on the pty, the window size follows a resize, and ^C on the
/// keyboard reaches the shell's foreground child through the pty while the shell carries on. Shared by the
/// foreground (`run -it --init`) and detached (`run -dit --init` + attach) tests.
/// </summary>
internal static class ShellUnderInit
{
    public static async Task FollowsTheTerminalAsync(TmuxTerminal terminal)
    {
        await terminal.SendKeys("echo pid1=$(cat /proc/1/comm) me=$$; tty; stty size", "Enter");
        var screen = await terminal.WaitForScreen(s => s.Contains("30 100"));
        Assert.Matches(@"pid1=runtime-agent me=[2-9]", screen); // init is PID 1, the shell its child (init's threads take pids too)
        Assert.Contains("/dev/pts/0", screen);

        await terminal.Resize(120, 40);
        await terminal.SendKeys("stty size", "Enter");
        await terminal.WaitForScreen(s => s.Contains("40 120"));

        await terminal.SendKeys("sh -c 'echo $((40 + 2))-ready; exec sleep 600'", "Enter");
        await terminal.WaitForScreen(s => s.Contains("42-ready"));
        await terminal.SendKeys("C-c");
        await terminal.SendKeys("echo child-status-$?", "Enter");
        await terminal.WaitForScreen(s => s.Contains("child-status-130"));
    }
}
