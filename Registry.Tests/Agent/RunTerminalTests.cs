using System.Diagnostics;

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
        var socket = $"agent-test-{Guid.NewGuid():N}";
        var errors = Path.Join(images.Root, $"{socket}.stderr");
        try
        {
            await Tmux(socket, "new-session", "-d", "-s", "t", "-x", "100", "-y", "30",
                $"{agent} --root {images.Root} run -it {images.Configured} sh 2>{errors}; echo agent-exited-$?; sleep 600");
            await WaitForScreen(socket, s => s.Contains("/app #"), errors); // busybox sh's prompt on a terminal, in WorkingDir (capture-pane trims the space)
            await Tmux(socket, "send-keys", "-t", "t", "tty; stty size", "Enter");
            var screen = await WaitForScreen(socket, s => s.Contains("30 100"), errors);
            Assert.Contains("/dev/pts/0", screen); // the container's own devpts, not a host pty

            await Tmux(socket, "resize-window", "-t", "t", "-x", "120", "-y", "40");
            await Tmux(socket, "send-keys", "-t", "t", "stty size", "Enter");
            await WaitForScreen(socket, s => s.Contains("40 120"), errors);

            await Tmux(socket, "send-keys", "-t", "t", "exit 3", "Enter");
            await WaitForScreen(socket, s => s.Contains("agent-exited-3"), errors);
        }
        finally
        {
            await Tmux(socket, "kill-server");
        }
    }

    private static async Task<string> WaitForScreen(string socket, Func<string, bool> condition, string errors)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var screen = await Tmux(socket, "capture-pane", "-p", "-t", "t");
            if (condition(screen)) return screen;
            Assert.True(DateTime.UtcNow < deadline, $"the screen never showed what was expected:\n{screen}\n--- agent stderr\n" +
                (File.Exists(errors) ? File.ReadAllText(errors) : "(none)"));
            await Task.Delay(100);
        }
    }

    private static async Task<string> Tmux(string socket, params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-L", socket }.Concat(args)) info.ArgumentList.Add(arg);
        using var tmux = Process.Start(info)!;
        var output = await tmux.StandardOutput.ReadToEndAsync();
        await tmux.WaitForExitAsync();
        return output;
    }
}
