using System.CommandLine;
using System.Globalization;
using RuntimeAgent.Cli;
using RuntimeAgent.Containers;

namespace RuntimeAgent.Commands;

/// <summary><c>logs [-f] [--since T] [--tail N] [-t] NAME</c>: the container's stdout and stderr, each to its own stream.</summary>
public static class LogsCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var name = new Argument<string>("container") { Description = "Container name or id" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until the container exits" };
        var since = new Option<string?>("--since") { Description = "Only entries since a time (RFC 3339) or a duration ago (30s, 5m, 2h)" };
        var tail = new Option<int?>("--tail", "-n") { Description = "Only the last N entries" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Prefix each line with the time it was written" };
        var logs = new Command("logs", "Print a container's logs") { name, follow, since, tail, timestamps };
        logs.SetAction(async (parse, ct) =>
        {
            ContainerState? state = null;
            ContainerStore? store = null;
            var query = default(LogQuery);
            var failed = ContainerCommands.Guard(() =>
            {
                store = new ContainerStore(globals.Layout(parse));
                state = store.Find(parse.GetValue(name)!);
                query = new LogQuery(parse.GetValue(tail), ParseSince(parse.GetValue(since)), parse.GetValue(follow), parse.GetValue(timestamps));
                return 0;
            });
            if (failed != 0) return failed;
            var stdout = Console.OpenStandardOutput();
            var stderr = Console.OpenStandardError();
            await new ContainerLogReader(store!.LogPath(state!.Id)).ReadAsync(query!,
                () => !store.Find(state.Id).IsActive,
                entry =>
                {
                    var text = (query!.Timestamps ? entry.Time.UtcDateTime.ToString(LogEntry.TimeFormat, CultureInfo.InvariantCulture) + " " : "")
                               + entry.Text + (entry.Partial ? "" : "\n");
                    var target = entry.Stream == "stderr" ? stderr : stdout;
                    target.Write(System.Text.Encoding.UTF8.GetBytes(text));
                    target.Flush();
                }, ct);
            return 0;
        });
        return logs;
    }

    private static DateTimeOffset? ParseSince(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time;
        var unit = text[^1];
        if (double.TryParse(text[..^1], CultureInfo.InvariantCulture, out var amount) && amount >= 0 && unit is 's' or 'm' or 'h')
            return DateTimeOffset.UtcNow - (unit == 's' ? TimeSpan.FromSeconds(amount) : unit == 'm' ? TimeSpan.FromMinutes(amount) : TimeSpan.FromHours(amount));
        throw new ContainerStateException($"invalid --since '{text}': use RFC 3339 or a duration such as 30s, 5m, 2h");
    }
}
