using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Containers;
using RuntimeAgent.Run;
using RuntimeAgent.Run.Isolation;
using RuntimeAgent.Run.Isolation.Cgroups;
using RuntimeAgent.Run.UserNamespaces;
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
        var net = new Option<string>("--net", "--network")
        {
            Description = "Network: 'private' (own namespace with loopback), 'none' (the same, nothing published), 'host', or 'container:NAME' (share that container's)",
            DefaultValueFactory = _ => "private",
        };
        net.Validators.Add(result =>
        {
            var value = result.GetValue(net) ?? "";
            if (value is not ("private" or "none" or "host") && !(value.StartsWith("container:", StringComparison.Ordinal) && value.Length > 10))
                result.AddError("--net must be private, none, host or container:NAME");
        });
        var publish = new Option<string[]>("--publish", "-p") { Description = "Publish a port of a detached container: [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp] (host IP default 127.0.0.1)" };
        var dns = new Option<string[]>("--dns") { Description = "DNS server for the container's /etc/resolv.conf (replaces the host's)" };
        var addHost = new Option<string[]>("--add-host") { Description = "Add NAME:IP to the container's /etc/hosts" };
        var init = new Option<bool>("--init") { Description = "Run a reaper as PID 1 that forwards signals and reaps zombies" };
        var keep = new Option<bool>("--keep") { Description = "Keep the container directory (its upper layer) after exit" };
        var snapshotter = new Option<string?>("--snapshotter") { Description = "How the root is stacked from the layers: overlay (kernel OverlayFS), fuse-overlayfs, reflink (FICLONE clones: XFS, btrfs) or copy (default: overlay; rootless: overlay with userxattr, or fuse-overlayfs where the kernel's cannot be mounted — see `info`)" };
        snapshotter.AcceptOnlyFromAmong(Snapshots.SnapshotterNames.All);
        var insecure = PullCommand.InsecureOption();
        var maxLayerSize = PullCommand.MaxLayerSizeOption();
        var quiet = PullCommand.QuietOption();
        var progress = ProgressStyles.Option();
        var tty = new Option<bool>("--tty", "-t") { Description = "Give the container a pseudo-terminal (its own /dev/pts/0) as stdin, stdout and stderr" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "With -t, relay stdin to the container's terminal (without -t stdin is always passed)" };
        var detach = new Option<bool>("--detach", "-d") { Description = "Run in the background under a monitor process; print the container id" };
        var name = new Option<string?>("--name") { Description = "Name of a detached container (default: its id)" };
        var restart = new Option<string>("--restart") { Description = "Restart policy of a detached container: no, on-failure[:N], always", DefaultValueFactory = _ => "no" };
        var healthCmd = new Option<string?>("--health-cmd") { Description = "Health check: a shell command (exit 0: healthy), over the image's HEALTHCHECK" };
        var healthInterval = new Option<string?>("--health-interval") { Description = "Time between health checks, e.g. 30s, 1m30s (default 30s)" };
        var healthTimeout = new Option<string?>("--health-timeout") { Description = "A health check running longer fails (default 30s)" };
        var healthStartPeriod = new Option<string?>("--health-start-period") { Description = "Failures during this time after the start do not count (default 0s)" };
        var healthRetries = new Option<int?>("--health-retries") { Description = "Consecutive failures that make the container unhealthy (default 3)" };
        var noHealthcheck = new Option<bool>("--no-healthcheck") { Description = "Do not run the image's HEALTHCHECK" };
        var healthOnFailure = new Option<string>("--health-on-failure") { Description = "When the container turns unhealthy: none, kill (SIGKILL; the restart policy then decides), restart (stopped, then started again whatever the restart policy; needs -d) or stop (stop signal, SIGKILL after --stop-timeout; no restart)", DefaultValueFactory = _ => "none" };
        healthOnFailure.AcceptOnlyFromAmong(HealthOptions.OnFailureActions);
        var privileged = new Option<bool>("--privileged") { Description = "All capabilities, no seccomp filter, no masked /proc and /sys paths" };
        var capAdd = new Option<string[]>("--cap-add") { Description = "Add a capability to the default set (e.g. NET_ADMIN, or ALL)" };
        var capDrop = new Option<string[]>("--cap-drop") { Description = "Drop a capability from the default set (or ALL)" };
        var securityOpt = new Option<string[]>("--security-opt") { Description = "no-new-privileges, seccomp=unconfined or seccomp=PROFILE.json (Docker/OCI format)" };
        var memory = new Option<string?>("--memory", "-m") { Description = "Memory limit, e.g. 64m or 2g" };
        var memorySwap = new Option<string?>("--memory-swap") { Description = "Memory plus swap limit (-1: unlimited swap; default: as much swap as memory)" };
        var pidsLimit = new Option<long?>("--pids-limit") { Description = $"Maximum processes and threads (default {ResourceLimits.DefaultPidsLimit}; 0 or -1: unlimited)" };
        var cpus = new Option<string?>("--cpus") { Description = "CPU limit in cores, e.g. 0.5" };
        var cpuWeight = new Option<int?>("--cpu-weight") { Description = "CPU share under contention, 1-10000 (default 100)" };
        var cgroups = new Option<string>("--cgroups") { Description = "enabled: the container gets a cgroup of its own with its limits; disabled: it stays in the agent's cgroup, unlimited (podman's flag; for hosts whose cgroups the agent may not write)", DefaultValueFactory = _ => "enabled" };
        cgroups.AcceptOnlyFromAmong("enabled", "disabled");
        var readOnly = new Option<bool>("--read-only") { Description = "Mount the container's root filesystem read-only" };
        var tmpfs = new Option<string[]>("--tmpfs") { Description = "Mount a tmpfs: PATH[:size=64m,mode=1777,exec,…]" };
        var userns = new Option<string>("--userns")
        {
            Description = "host: no user namespace; auto: the container's root is a range of 65536 host ids of its own from /etc/subuid and /etc/subgid (default: $RUNTIME_AGENT_USERNS, else host)",
            DefaultValueFactory = _ => RunArguments.DefaultUserNamespace(),
        };
        userns.AcceptOnlyFromAmong("host", "auto");
        var upper = new Option<string>("--upper")
        {
            Description = "Where the container's writes to its root filesystem live: tmpfs (in RAM, charged to its memory cgroup, sized by --memory or half of RAM; gone at exit), disk, or auto: tmpfs for a foreground container removed at exit, disk otherwise (default: $RUNTIME_AGENT_UPPER, else auto)",
            DefaultValueFactory = _ => RunArguments.DefaultUpper(),
        };
        upper.AcceptOnlyFromAmong("auto", "tmpfs", "disk");
        var stopTimeout = new Option<int>("--stop-timeout") { Description = "Seconds to wait after forwarding SIGINT/SIGTERM before killing the container", DefaultValueFactory = _ => 10 };

        var run = new Command("run", "Run a command in a new container from an image (pulled if missing)")
        {
            image, command, env, volume, workdir, user, entrypoint, hostname, net, init, keep, stopTimeout, snapshotter, insecure, maxLayerSize, quiet, progress,
            detach, name, restart, publish, dns, addHost, tty, interactive,
            healthCmd, healthInterval, healthTimeout, healthStartPeriod, healthRetries, noHealthcheck, healthOnFailure,
            privileged, capAdd, capDrop, securityOpt, memory, memorySwap, pidsLimit, cpus, cpuWeight, cgroups, readOnly, tmpfs, userns, upper,
        };
        run.SetAction((parse, cancellation) => ExecuteAsync(new RunArguments
        {
            Root = parse.GetValue(globals.Root)!,
            Image = parse.GetValue(image)!,
            Command = parse.GetValue(command) ?? [],
            Env = parse.GetValue(env) ?? [],
            Volume = parse.GetValue(volume) ?? [],
            Workdir = parse.GetValue(workdir),
            User = parse.GetValue(user),
            Entrypoint = parse.GetValue(entrypoint),
            Hostname = parse.GetValue(hostname),
            Net = parse.GetValue(net)!,
            Init = parse.GetValue(init),
            Keep = parse.GetValue(keep),
            StopTimeout = parse.GetValue(stopTimeout),
            Snapshotter = parse.GetValue(snapshotter),
            Insecure = parse.GetValue(insecure),
            MaxLayerSize = parse.GetValue(maxLayerSize),
            Quiet = parse.GetValue(quiet),
            Progress = parse.GetValue(progress)!,
            Detach = parse.GetValue(detach),
            Name = parse.GetValue(name),
            Restart = parse.GetValue(restart)!,
            Publish = parse.GetValue(publish) ?? [],
            Dns = parse.GetValue(dns) ?? [],
            AddHost = parse.GetValue(addHost) ?? [],
            HealthCmd = parse.GetValue(healthCmd),
            HealthInterval = parse.GetValue(healthInterval),
            HealthTimeout = parse.GetValue(healthTimeout),
            HealthStartPeriod = parse.GetValue(healthStartPeriod),
            HealthRetries = parse.GetValue(healthRetries),
            NoHealthcheck = parse.GetValue(noHealthcheck),
            HealthOnFailure = parse.GetValue(healthOnFailure)!,
            Privileged = parse.GetValue(privileged),
            CapAdd = parse.GetValue(capAdd) ?? [],
            CapDrop = parse.GetValue(capDrop) ?? [],
            SecurityOpt = parse.GetValue(securityOpt) ?? [],
            Memory = parse.GetValue(memory),
            MemorySwap = parse.GetValue(memorySwap),
            PidsLimit = parse.GetValue(pidsLimit),
            Cpus = parse.GetValue(cpus),
            CpuWeight = parse.GetValue(cpuWeight),
            Cgroups = parse.GetValue(cgroups)!,
            ReadOnly = parse.GetValue(readOnly),
            Tmpfs = parse.GetValue(tmpfs) ?? [],
            Tty = parse.GetValue(tty),
            Interactive = parse.GetValue(interactive),
            UserNamespace = parse.GetValue(userns)!,
            Upper = parse.GetValue(upper)!,
        }, cancellation));
        return run;
    }

    /// <summary>Runs the container <paramref name="a"/> describes (in the foreground, or detached under a monitor).</summary>
    public static Task<int> ExecuteAsync(RunArguments a, CancellationToken cancellation) => CliErrors.RunAsync(async () =>
    {
        try
        {
            // -d: the monitor starts first. Its runtime start is the longest part of what a detached run adds, and it
            // overlaps everything below: checking the flags, resolving the image and recording the container; the JSON
            // metadata of the container's records is built meanwhile too (MonitorLauncher, ContainerJson). A run that
            // fails before the container is recorded closes the monitor's id pipe unwritten, and the monitor just exits.
            // A process forked for run -d by detach-entry.c needs no monitor: it becomes the monitor (ForkedMonitor).
            var forked = a.Detach && ForkedMonitor.Active;
            using var monitor = a.Detach && !forked ? MonitorLauncher.Spawn(AgentPath(), Path.GetFullPath(a.Root)) : null;
            if (monitor is not null) Diagnostics.PhaseTrace.Mark("monitor-spawned");
            // A forked monitor writes its records while its container starts (ForkedMonitor): a thread building JSON
            // metadata beforehand would only take a CPU from that start.
            if (monitor is not null) ContainerJson.PrepareStateInBackground();
            var request = new RunRequest(
                new RunOverrides(a.Command, a.Entrypoint, a.Env, a.Workdir, a.User),
                ParseEach(a.Volume, VolumeSpec.Parse),
                a.Hostname, a.Net == "host", a.Init, a.Keep, TimeSpan.FromSeconds(Math.Max(0, a.StopTimeout)))
            {
                Snapshotter = a.Snapshotter is { } named ? Snapshots.SnapshotterNames.Parse(named)
                    : Snapshots.SnapshotterProbe.DefaultFor(new StoreLayout(Path.GetFullPath(a.Root))),
                Security = new SecurityOptions(a.Privileged, a.CapAdd, a.CapDrop, a.SecurityOpt),
                Limits = a.Cgroups == "disabled"
                    ? ResourceLimits.WithoutCgroup(a.Memory, a.MemorySwap, a.PidsLimit, a.Cpus, a.CpuWeight)
                    : ResourceLimits.Parse(a.Memory, a.MemorySwap, a.PidsLimit, a.Cpus, a.CpuWeight),
                Tmpfs = ParseEach(a.Tmpfs, TmpfsSpec.Parse),
                ReadOnlyRoot = a.ReadOnly,
                UserNamespace = a.UserNamespace == "auto" ? UserNamespaceMode.Auto : UserNamespaceMode.Host,
                Tty = a.Tty,
                Interactive = !a.Tty || a.Interactive,
                Upper = a.Upper switch
                {
                    "tmpfs" => UpperStorage.Tmpfs,
                    "disk" => UpperStorage.Disk,
                    "auto" => UpperStorage.Auto,
                    var other => throw new ContainerSetupException($"--upper must be auto, tmpfs or disk, not '{other}'", 1),
                },
            };
            var ports = ParseEach(a.Publish, Net.PortSpec.Parse);
            var health = new HealthOptions(a.HealthCmd, a.HealthInterval, a.HealthTimeout, a.HealthStartPeriod, a.HealthRetries, a.NoHealthcheck)
                { OnFailure = a.HealthOnFailure };
            health.Resolve(null); // a bad duration fails here, before any pull
            var detached = a.Detach
                ? new DetachOptions(a.Name, RestartPolicy.Parse(a.Restart), 10 * 1024 * 1024, ports, a.Net) { Health = health }
                : null;
            if (detached is null && (a.Name is not null || a.Restart != "no" || ports.Count > 0))
                throw new ContainerSetupException("--name, --restart and --publish need --detach (-d)", 1);
            // A foreground run ends with its container and has no monitor that could start it again.
            if (detached is null && a.HealthOnFailure == "restart")
                throw new ContainerSetupException("--health-on-failure restart needs --detach (-d); a foreground run can use kill or stop", 1);
            UserNamespaceAllocation.Validate(request);
            if (RootlessMode.Active)
                request = request with { Limits = RootlessMode.Limits(request.Limits, new object?[] { a.Memory, a.MemorySwap, a.PidsLimit, a.Cpus, a.CpuWeight }.Any(v => v is not null)) };
            ScratchTmpfs.Chosen(request, detached is not null); // an impossible --upper tmpfs fails here, before any pull
            if (ports.Count > 0 && a.Net != "private")
                throw new ContainerSetupException($"--publish needs the private network, not --net {a.Net}", 1);
            var dnsOptions = new Net.DnsOptions(a.Dns, a.AddHost);
            Net.EtcFiles.Validate(dnsOptions);
            var store = new ImageStore(new StoreLayout(Path.GetFullPath(a.Root)));
            request = request with
            {
                Dns = dnsOptions,
                NetworkNamespace = a.Net.StartsWith("container:", StringComparison.Ordinal)
                    ? new ContainerStore(store.Layout).NetworkNamespaceOf(a.Net["container:".Length..]) : null,
            };
            Diagnostics.PhaseTrace.Mark("cli-ready");
            // Pulled if missing, its progress on stderr (stdout is the container's, or the id for -d); the lease keeps gc
            // off the layers while the container runs.
            using var resolved = await ProgressDisplay.PullAsync(ProgressStyles.Parse(a.Progress), a.Quiet ? null : Console.Error,
                progress => store.ResolveAsync(a.Image, new PullOptions(a.Insecure, a.MaxLayerSize, progress), cancellation));
            Diagnostics.PhaseTrace.Mark("resolved");
            if (detached is not null)
            {
                // Console.Out is made now, while the monitor is still starting, not after its report: it is on no path then.
                // A forked monitor's parent prints the id (this process's stdout is /dev/null by then).
                var stdout = forked ? null : Console.Out;
                var id = new DetachedRunner(store.Layout).Start(resolved, request, detached, a.Image, monitor);
                stdout?.WriteLine(id);
                Diagnostics.PhaseTrace.Mark("detached");
                return 0;
            }
            return new ContainerRunner(store.Layout, AgentPath()).Run(resolved, request with { Health = health, Reference = a.Image });
        }
        catch (ContainerStateException e)
        {
            Console.Error.WriteLine($"runtime-agent: {e.Message}");
            return 1;
        }
        catch (ContainerSetupException e)
        {
            Console.Error.WriteLine($"runtime-agent: {e.Message}");
            return e.ExitCode;
        }
    });

    /// <summary>
    /// A loop, not Select(…).ToList(): on the path of every `run`, each LINQ call site's first interface dispatch is
    /// resolved at run time in a NativeAOT process (about 0.4 ms for these three; docs/PERFORMANCE.md).
    /// </summary>
    private static List<T> ParseEach<T>(string[] values, Func<string, T> parse)
    {
        var parsed = new List<T>(values.Length);
        foreach (var value in values) parsed.Add(parse(value));
        return parsed;
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
        // run IMAGE CMD…, exec CONTAINER CMD…: one operand, then the container's command.
        if (i >= args.Length || args[i] is not ("run" or "exec")) return args;
        var subcommand = rootCommand.Subcommands.FirstOrDefault(c => c.Name == args[i]);
        if (subcommand is null) return args;
        i = SkipOptions(args, i + 1, [.. subcommand.Options, .. globals]);
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
