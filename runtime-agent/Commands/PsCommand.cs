using System.CommandLine;
using System.Text.Json;
using RuntimeAgent.Cli;
using RuntimeAgent.Containers;

namespace RuntimeAgent.Commands;

/// <summary><c>ps [-a] [--format json]</c>: the detached containers, running ones only unless -a.</summary>
public static class PsCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Show stopped containers too" };
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var ps = new Command("ps", "List containers") { all, format };
        ps.SetAction(parse => ContainerCommands.Guard(() =>
        {
            var containers = new ContainerStore(globals.Layout(parse)).List()
                .Where(c => parse.GetValue(all) || c.IsActive).ToList();
            if (parse.GetValue(format) == "json")
            {
                Console.WriteLine(JsonSerializer.Serialize(containers, ContainerJsonContext.Default.ListContainerState));
                return 0;
            }
            var now = DateTimeOffset.UtcNow;
            var rows = containers.Select(c => new[]
            {
                c.Id, c.Image, Quote(string.Join(' ', c.Command)), $"{Ago(now - c.Created)} ago", Status(c, now),
                string.Join(", ", c.Ports), c.Name,
            }).Prepend(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]).ToList();
            var widths = Enumerable.Range(0, 7).Select(i => rows.Max(r => r[i].Length)).ToArray();
            foreach (var row in rows)
                Console.WriteLine(string.Join("   ", row.Select((cell, i) => i == 6 ? cell : cell.PadRight(widths[i]))).TrimEnd());
            return 0;
        }));
        return ps;
    }

    public static string Status(ContainerState c, DateTimeOffset now) => c.Status switch
    {
        ContainerStatus.Running => $"Up {Ago(now - (c.StartedAt ?? c.Created))}" + c.Health?.Status switch
        {
            HealthStatus.Starting => " (health: starting)",
            { } status => $" ({status})",
            null => "",
        },
        ContainerStatus.Restarting => $"Restarting ({c.ExitCode}) {Ago(now - (c.FinishedAt ?? now))} ago",
        ContainerStatus.Exited => $"Exited ({c.ExitCode}) {Ago(now - (c.FinishedAt ?? now))} ago",
        _ => "Created",
    };

    private static string Quote(string command) => command.Length > 30 ? $"\"{command[..29]}…\"" : $"\"{command}\"";

    private static string Ago(TimeSpan t) =>
        t.TotalSeconds < 1 ? "Less than a second" : t.TotalMinutes < 1 ? $"{(int)t.TotalSeconds} seconds"
        : t.TotalHours < 1 ? $"{(int)t.TotalMinutes} minutes" : t.TotalDays < 1 ? $"{(int)t.TotalHours} hours" : $"{(int)t.TotalDays} days";
}
