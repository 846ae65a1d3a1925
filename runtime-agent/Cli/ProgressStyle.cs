using System.CommandLine;

namespace RuntimeAgent.Cli;

/// <summary>How transfer (pull, push) progress is shown: bars that redraw (tty), lines (plain), or bars only on a terminal (auto).</summary>
public enum ProgressStyle { Auto, Tty, Plain }

public static class ProgressStyles
{
    public static Option<string> Option() 
    {
        var option = new Option<string>("--progress")
        {
            Description = "Transfer progress: auto (bars on a terminal, lines otherwise), tty (bars) or plain (lines)",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "tty", "plain");
        return option;
    }

    public static ProgressStyle Parse(string? text) => text switch
    {
        null or "auto" => ProgressStyle.Auto,
        "tty" => ProgressStyle.Tty,
        "plain" => ProgressStyle.Plain,
        _ => throw new FormatException($"--progress {text}: expected auto, tty or plain"),
    };
}
