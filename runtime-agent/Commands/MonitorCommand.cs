using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Containers;

namespace RuntimeAgent.Commands;

/// <summary>Hidden <c>monitor [ID]</c>: the per-container monitor <c>run -d</c> starts (see <see cref="ContainerMonitor"/>).</summary>
public static class MonitorCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = new Argument<string?>("id") { Description = "The container's id (default: read from descriptor 4)", Arity = ArgumentArity.ZeroOrOne };
        var monitor = new Command("monitor", "Internal: run, log, reap and restart one detached container") { id };
        monitor.Hidden = true;
        monitor.SetAction(parse => ContainerMonitor.Launch(globals.Layout(parse), parse.GetValue(id)));
        return monitor;
    }
}
