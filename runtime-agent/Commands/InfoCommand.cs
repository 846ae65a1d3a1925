using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Info;

namespace RuntimeAgent.Commands;

/// <summary>
/// <c>info [--format json]</c>: how this agent runs here — root or rootless, its state directory, user namespaces and
/// subordinate ids, idmapped mounts, the snapshotter it uses by default and why, cgroup limits, seccomp.
/// </summary>
public static class InfoCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var info = new Command("info", "Show how the agent runs on this host: root or rootless, user namespaces, snapshotter, cgroups, seccomp") { format };
        info.SetAction(parse => CliErrors.RunAsync(() =>
        {
            var facts = HostFacts.Gather(globals.Layout(parse));
            if (parse.GetValue(format) == "json")
            {
                using var stdout = Console.OpenStandardOutput();
                HostFactsWriter.WriteJson(facts, stdout);
                stdout.Write("\n"u8);
            }
            else HostFactsWriter.WriteText(facts, Console.Out);
            return Task.FromResult(0);
        }).GetAwaiter().GetResult());
        return info;
    }
}
