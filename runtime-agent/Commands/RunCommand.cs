using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Run;
using RuntimeAgent.Store;

namespace RuntimeAgent.Commands;

/// <summary><c>run [options] REF [CMD [ARG…]]</c>: runs an image's command in a new container and returns its exit code.</summary>
public static class RunCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var image = new Argument<string>("image") { Description = "Image reference, e.g. localhost:5000/org/app:1.0" };
        var command = new Argument<string[]>("command") { Description = "Command and arguments (default: the image's Entrypoint and Cmd)", Arity = ArgumentArity.ZeroOrMore };
        var env = new Option<string[]>("--env", "-e") { Description = "Set an environment variable (K=V, or K to pass the agent's value)" };
        var volume = new Option<string[]>("--volume", "-v") { Description = "Bind mount HOST:CONTAINER[:ro]" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory inside the container" };
        var user = new Option<string?>("--user", "-u") { Description = "UID[:GID] or NAME[:GROUP] to run as" };
        var entrypoint = new Option<string?>("--entrypoint") { Description = "Override the image's entrypoint (\"\" clears it)" };
        var hostname = new Option<string?>("--hostname") { Description = "Container hostname (default: the container id)" };
        var net = new Option<string>("--net") { Description = "Network: 'private' (own namespace with loopback) or 'host'", DefaultValueFactory = _ => "private" };
        net.AcceptOnlyFromAmong("private", "host");
        var init = new Option<bool>("--init") { Description = "Run a reaper as PID 1 that forwards signals and reaps zombies" };
        var keep = new Option<bool>("--keep") { Description = "Keep the container directory (its upper layer) after exit" };
        var snapshotter = new Option<string>("--snapshotter") { Description = "How the root is stacked from the layers: overlay (kernel OverlayFS), fuse-overlayfs, reflink (FICLONE clones: XFS, btrfs) or copy", DefaultValueFactory = _ => "overlay" };
        snapshotter.AcceptOnlyFromAmong(Snapshots.SnapshotterNames.All);
        var insecure = PullCommand.InsecureOption();
        var maxLayerSize = PullCommand.MaxLayerSizeOption();
        var stopTimeout = new Option<int>("--stop-timeout") { Description = "Seconds to wait after forwarding SIGINT/SIGTERM before killing the container", DefaultValueFactory = _ => 10 };

        var run = new Command("run", "Run a command in a new container from an image (pulled if missing)")
        {
            image, command, env, volume, workdir, user, entrypoint, hostname, net, init, keep, stopTimeout, snapshotter, insecure, maxLayerSize,
        };
        run.SetAction((parse, cancellation) => CliErrors.RunAsync(async () =>
        {
            try
            {
                var request = new RunRequest(
                    new RunOverrides(parse.GetValue(command) ?? [], parse.GetValue(entrypoint), parse.GetValue(env) ?? [],
                        parse.GetValue(workdir), parse.GetValue(user)),
                    (parse.GetValue(volume) ?? []).Select(VolumeSpec.Parse).ToList(),
                    parse.GetValue(hostname), parse.GetValue(net) == "host", parse.GetValue(init), parse.GetValue(keep),
                    TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(stopTimeout))))
                {
                    Snapshotter = Snapshots.SnapshotterNames.Parse(parse.GetValue(snapshotter)!),
                };
                var store = new ImageStore(globals.Layout(parse));
                // Pulled quietly if missing; the lease keeps gc off the layers while the container runs.
                using var resolved = await store.ResolveAsync(parse.GetValue(image)!,
                    new PullOptions(parse.GetValue(insecure), parse.GetValue(maxLayerSize)), cancellation);
                return new ContainerRunner(store.Layout, AgentPath()).Run(resolved, request);
            }
            catch (ContainerSetupException e)
            {
                Console.Error.WriteLine($"runtime-agent: {e.Message}");
                return e.ExitCode;
            }
        }));
        return run;
    }

    /// <summary>The agent's own executable, absolute, for unshare to exec as init.</summary>
    private static string AgentPath() =>
        Environment.ProcessPath ?? throw new ContainerSetupException("cannot find the agent's own executable");

    /// <summary>
    /// Everything after the image reference belongs to the container's command (<c>run img sh -c 'ls -l'</c>),
    /// but System.CommandLine would read <c>-c</c> and <c>-l</c> as options. Inserting "--" after the
    /// reference, as docker's parser stops at it, keeps them as arguments.
    /// </summary>
    public static string[] SeparateContainerCommand(Command rootCommand, string[] args)
    {
        var globals = rootCommand.Options.Where(o => o.Recursive).ToList();
        var i = SkipOptions(args, 0, globals);
        if (i >= args.Length || args[i] != "run") return args;
        var run = rootCommand.Subcommands.FirstOrDefault(c => c.Name == "run");
        if (run is null) return args;
        i = SkipOptions(args, i + 1, [.. run.Options, .. globals]);
        if (i >= args.Length || args[i] == "--" || (i + 1 < args.Length && args[i + 1] == "--")) return args;
        return [.. args[..(i + 1)], "--", .. args[(i + 1)..]];
    }

    private static int SkipOptions(string[] args, int i, IReadOnlyList<Option> options)
    {
        while (i < args.Length && args[i].StartsWith('-') && args[i] != "--" && args[i].Length > 1)
        {
            var name = args[i].Split('=', 2)[0];
            var option = options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));
            var takesValue = option is not null && option.ValueType != typeof(bool) && option.Arity.MaximumNumberOfValues > 0;
            i += takesValue && !args[i].Contains('=') ? 2 : 1;
        }
        return i;
    }
}
