using Spectre.Console;

namespace RuntimeAgent.Cli;

public static class Terminal
{
    /// <summary>True when stdout is a terminal that can redraw progress bars.</summary>
    public static bool IsInteractive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
}
