using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Containers;
using RuntimeAgent.Containers.Attach;
using RuntimeAgent.Run;

namespace RuntimeAgent.Commands;

/// <summary>
/// <c>attach [--detach-keys KEYS] [--tail N] NAME</c>: the terminal of a running <c>run -dt</c> container, its recent
/// lines first (a screenful by default), until it exits or the detach keys.
/// </summary>
public static class AttachCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var name = new Argument<string>("container") { Description = "Container name or id" };
        var keys = new Option<string>("--detach-keys") { Description = "Keys that detach and leave the container running", DefaultValueFactory = _ => DetachKeys.Default };
        var tail = new Option<int?>("--tail") { Description = "Show this many of the terminal's recent lines first (default: the terminal's height; 0: none)" };
        var attach = new Command("attach", "Attach to the terminal of a running container started with -t (Ctrl-P Ctrl-Q detaches)") { name, keys, tail };
        attach.SetAction(parse => ContainerCommands.Guard(() =>
        {
            var detachKeys = DetachKeys.Parse(parse.GetValue(keys)!);
            var replay = parse.GetValue(tail) ?? AttachClient.ScreenRows();
            if (replay < 0) throw new ContainerStateException($"--tail {replay}: expected a number of lines, 0 or more");
            var lifecycle = ContainerCommands.Lifecycle(globals, parse);
            var state = lifecycle.Store.Find(parse.GetValue(name)!);
            if (!ContainerSpec.Load(lifecycle.Store.SpecPath(state.Id)).Tty)
                throw new ContainerStateException($"container {state.Name} has no terminal: attach works with containers run with -t (use logs -f)");
            if (state.Status != ContainerStatus.Running) throw new ContainerStateException($"container {state.Name} is not running");
            if (new AttachClient(lifecycle.Store.AttachSocketPath(state.Id), detachKeys, replay).Run()) return 0;
            return lifecycle.Wait(state.Id, CancellationToken.None); // the run ended: exit as the container did
        }));
        return attach;
    }
}
