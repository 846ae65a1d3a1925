using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Commands;
using RuntimeAgent.Containers;

// An ordinary user's agent runs as root of a user namespace of its own (Run/UserNamespaces/RootlessMode.cs).
if (RuntimeAgent.Run.UserNamespaces.RootlessMode.NeedsUserNamespace)
{
    try
    {
        return RuntimeAgent.Run.UserNamespaces.RootlessMode.Reexec(args);
    }
    catch (RuntimeAgent.Run.ContainerSetupException e)
    {
        Console.Error.WriteLine($"runtime-agent: {e.Message}");
        return e.ExitCode;
    }
}

RuntimeAgent.Diagnostics.PhaseTrace.Mark("main");
// A process forked for `run -d` never makes a duplicate of the user's stdout or stderr, which its monitor would hold.
if (ForkedMonitor.Active) ForkedMonitor.UseDescriptorWriters();
// A `run -d` whose process became its container's monitor (Containers/ForkedMonitor.cs) stays until the container is done.
if (await FastCommandLine.TryInvokeAsync(args) is { } exitCode) return ForkedMonitor.WaitIfMonitoring(exitCode);

var globals = new GlobalOptions();
var root = AgentRootCommand.Create("runtime-agent: pull OCI images into a host-wide cache and run them in Linux namespaces");
root.Options.Add(globals.Root);

// Image side (agent-image).
root.Subcommands.Add(PullCommand.Create(globals));
root.Subcommands.Add(WatchCommand.Create(globals));
root.Subcommands.Add(ImagesCommand.Create(globals));
root.Subcommands.Add(RmiCommand.Create(globals));
root.Subcommands.Add(GcCommand.Create(globals));
root.Subcommands.Add(LoginCommand.Create(globals));
root.Subcommands.Add(LogoutCommand.Create(globals));
root.Subcommands.Add(InfoCommand.Create(globals));

// Run side (agent-run): register `run` and the internal `init` here, one line each.
root.Subcommands.Add(RunCommand.Create(globals));
root.Subcommands.Add(InitCommand.Create());
root.Subcommands.Add(SeccompProfileCommand.Create());

// Detached containers (services): ps, inspect, logs, stop, kill, rm, wait, start and the internal monitor.
root.Subcommands.Add(PsCommand.Create(globals));
root.Subcommands.Add(InspectCommand.Create(globals));
root.Subcommands.Add(LogsCommand.Create(globals));
root.Subcommands.Add(ExecCommand.Create(globals));
root.Subcommands.Add(AttachCommand.Create(globals));
foreach (var command in ContainerCommands.Create(globals)) root.Subcommands.Add(command);
root.Subcommands.Add(MonitorCommand.Create(globals));

// Build side (build).
root.Subcommands.Add(BuildCommand.Create(globals));
root.Subcommands.Add(PushCommand.Create(globals));

return ForkedMonitor.WaitIfMonitoring(await AgentRootCommand.InvokeAsync(root.Parse(RunCommand.SeparateContainerCommand(root, args))));
