using System.Diagnostics;

namespace Registry.Tests.Agent;

/// <summary>
/// A real terminal for the agent's -t tests: a tmux server of its own (one socket per instance) running a shell
/// command in a window of a fixed size. The test types into it and reads the screen; a screen that never shows what
/// is expected fails with the screen and the agent's stderr (the command should redirect it to <see cref="ErrorsFile"/>).
/// </summary>
internal sealed class TmuxTerminal : IAsyncDisposable
{
    private readonly string socket = $"agent-test-{Guid.NewGuid():N}";

    private TmuxTerminal(string errorsFile) => ErrorsFile = errorsFile;

    public string ErrorsFile { get; }

    public static async Task<TmuxTerminal> StartAsync(string directory, int width, int height, Func<string, string> command)
    {
        var terminal = new TmuxTerminal(Path.Join(directory, $"tmux-{Guid.NewGuid():N}.stderr"));
        await terminal.Tmux("new-session", "-d", "-s", "t", "-x", $"{width}", "-y", $"{height}", command(terminal.ErrorsFile));
        return terminal;
    }

    /// <summary>tmux send-keys: text, or key names such as Enter and C-p.</summary>
    public Task SendKeys(params string[] keys) => Tmux(["send-keys", "-t", "t", .. keys]);

    public Task Resize(int width, int height) => Tmux("resize-window", "-t", "t", "-x", $"{width}", "-y", $"{height}");

    public async Task<string> WaitForScreen(Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var screen = await Tmux("capture-pane", "-p", "-t", "t");
            if (condition(screen)) return screen;
            Assert.True(DateTime.UtcNow < deadline, $"the screen never showed what was expected:\n{screen}\n--- agent stderr\n" +
                (File.Exists(ErrorsFile) ? File.ReadAllText(ErrorsFile) : "(none)"));
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync() => await Tmux("kill-server");

    private async Task<string> Tmux(params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-L", socket }.Concat(args)) info.ArgumentList.Add(arg);
        using var tmux = Process.Start(info)!;
        var output = await tmux.StandardOutput.ReadToEndAsync();
        await tmux.WaitForExitAsync();
        return output;
    }
}
