using Spectre.Console;

namespace RuntimeAgent.Cli;

public static class Terminal
{
    /// <summary>True when stdout is a terminal that can redraw progress bars.</summary>
    public static bool IsInteractive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// True when <paramref name="writer"/> (Console.Out or Console.Error) is a terminal that can redraw bars: not
    /// redirected, and TERM names a terminal (set and not "dumb"). Spectre's own guess (its profile's Interactive) is
    /// not used: it said no in a tmux pane under the test runner, where bars work.
    /// </summary>
    public static bool CanRedraw(TextWriter writer)
    {
        var terminal = writer == Console.Error ? !Console.IsErrorRedirected : writer == Console.Out && !Console.IsOutputRedirected;
        return terminal && Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term && term != "dumb";
    }
}
