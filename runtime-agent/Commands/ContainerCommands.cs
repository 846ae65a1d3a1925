using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Containers;

namespace RuntimeAgent.Commands;

/// <summary>The small lifecycle commands on detached containers: stop, kill, rm, wait, start (each a thin call into <see cref="ContainerLifecycle"/>).</summary>
public static class ContainerCommands
{
    public static IEnumerable<Command> Create(GlobalOptions globals) => [Stop(globals), Kill(globals), Remove(globals), Wait(globals), Start(globals)];

    private static Argument<string[]> Names() => new("container") { Description = "Container name or id (or a unique id prefix)", Arity = ArgumentArity.OneOrMore };

    private static Command Stop(GlobalOptions globals)
    {
        var names = Names();
        var time = new Option<int?>("--time", "-t") { Description = "Seconds to wait after the stop signal before SIGKILL (default: the container's --stop-timeout)" };
        var command = new Command("stop", "Stop running containers: the image's StopSignal (default SIGTERM), then SIGKILL") { names, time };
        command.SetAction(parse => Each(globals, parse, names, (lifecycle, name) =>
        {
            var seconds = parse.GetValue(time);
            lifecycle.Stop(name, seconds is { } s ? TimeSpan.FromSeconds(Math.Max(0, s)) : null);
        }));
        return command;
    }

    private static Command Kill(GlobalOptions globals)
    {
        var names = Names();
        var signal = new Option<string>("--signal", "-s") { Description = "Signal to send (name or number)", DefaultValueFactory = _ => "KILL" };
        var command = new Command("kill", "Send a signal to running containers") { names, signal };
        command.SetAction(parse =>
        {
            var number = Signals.Parse(parse.GetValue(signal)!);
            return Each(globals, parse, names, (lifecycle, name) => lifecycle.Kill(name, number));
        });
        return command;
    }

    private static Command Remove(GlobalOptions globals)
    {
        var names = Names();
        var force = new Option<bool>("--force", "-f") { Description = "Kill a running container first" };
        var command = new Command("rm", "Remove containers: their directory, log and upper layer") { names, force };
        command.SetAction(parse => Each(globals, parse, names, (lifecycle, name) => lifecycle.Remove(name, parse.GetValue(force))));
        return command;
    }

    private static Command Wait(GlobalOptions globals)
    {
        var names = Names();
        var command = new Command("wait", "Wait for containers to exit and print their exit codes") { names };
        command.SetAction((parse, ct) => Task.FromResult(Guard(() =>
        {
            var lifecycle = Lifecycle(globals, parse);
            foreach (var name in parse.GetValue(names)!) Console.WriteLine(lifecycle.Wait(name, ct));
            return 0;
        })));
        return command;
    }

    private static Command Start(GlobalOptions globals)
    {
        var names = Names();
        var command = new Command("start", "Start stopped containers again (same upper layer, same settings)") { names };
        command.SetAction(parse => Each(globals, parse, names, (lifecycle, name) => lifecycle.Start(name)));
        return command;
    }

    internal static ContainerLifecycle Lifecycle(GlobalOptions globals, ParseResult parse) =>
        new(globals.Layout(parse), Environment.ProcessPath ?? throw new ContainerStateException("cannot find the agent's own executable"));

    /// <summary>Applies the action to each named container, printing each name as Docker does; one error line per failure.</summary>
    private static int Each(GlobalOptions globals, ParseResult parse, Argument<string[]> names, Action<ContainerLifecycle, string> action) => Guard(() =>
    {
        var lifecycle = Lifecycle(globals, parse);
        var failed = false;
        foreach (var name in parse.GetValue(names)!)
        {
            if (Guard(() => { action(lifecycle, name); Console.WriteLine(name); return 0; }) != 0) failed = true;
        }
        return failed ? 1 : 0;
    });

    /// <summary>One clear stderr line and exit code 1 for the errors a user can cause.</summary>
    internal static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ContainerStateException or Run.ContainerSetupException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"runtime-agent: {e.Message}");
            return e is Run.ContainerSetupException setup ? setup.ExitCode : 1;
        }
    }
}
