using RuntimeAgent.Cli;
using RuntimeAgent.Unpack;

namespace RuntimeAgent.Commands;

/// <summary>
/// The values of <c>run</c>'s options, as System.CommandLine parses them (<see cref="RunCommand"/>) or, for the
/// common short command lines, as <see cref="TryParse"/> reads them without building the parser. Defaults are the
/// options' defaults.
/// </summary>
public sealed record RunArguments
{
    public string Root { get; init; } = GlobalOptions.DefaultRootPath();
    public required string Image { get; init; }
    public string[] Command { get; init; } = [];
    public string[] Env { get; init; } = [];
    public string[] Volume { get; init; } = [];
    public string? Workdir { get; init; }
    public string? User { get; init; }
    public string? Entrypoint { get; init; }
    public string? Hostname { get; init; }
    public string Net { get; init; } = "private";
    public bool Init { get; init; }
    public bool Keep { get; init; }
    public int StopTimeout { get; init; } = 10;
    /// <summary>--snapshotter; null: overlay for a root agent, the probed one for a rootless agent (Snapshots/SnapshotterProbe).</summary>
    public string? Snapshotter { get; init; }
    public bool Insecure { get; init; }
    public long MaxLayerSize { get; init; } = LayerUnpacker.DefaultMaxBytes;
    public bool Quiet { get; init; }
    /// <summary>--progress: auto, tty or plain (pull progress on stderr).</summary>
    public string Progress { get; init; } = "auto";
    public bool Detach { get; init; }
    public string? Name { get; init; }
    public string Restart { get; init; } = "no";
    public string[] Publish { get; init; } = [];
    public string[] Dns { get; init; } = [];
    public string[] AddHost { get; init; } = [];
    public string? HealthCmd { get; init; }
    public string? HealthInterval { get; init; }
    public string? HealthTimeout { get; init; }
    public string? HealthStartPeriod { get; init; }
    public int? HealthRetries { get; init; }
    public bool NoHealthcheck { get; init; }
    public string HealthOnFailure { get; init; } = "none";
    public bool Privileged { get; init; }
    public string[] CapAdd { get; init; } = [];
    public string[] CapDrop { get; init; } = [];
    public string[] SecurityOpt { get; init; } = [];
    public string? Memory { get; init; }
    public string? MemorySwap { get; init; }
    public long? PidsLimit { get; init; }
    public string? Cpus { get; init; }
    public int? CpuWeight { get; init; }
    public string Cgroups { get; init; } = "enabled";
    public bool ReadOnly { get; init; }
    public string[] Tmpfs { get; init; } = [];
    public bool Tty { get; init; }
    /// <summary>--userns: host or auto.</summary>
    public string UserNamespace { get; init; } = DefaultUserNamespace();
    public bool Interactive { get; init; }
    /// <summary>--upper: auto, tmpfs or disk (decision 009).</summary>
    public string Upper { get; init; } = DefaultUpper();

    /// <summary>--upper when not given: $RUNTIME_AGENT_UPPER, else auto.</summary>
    public static string DefaultUpper() =>
        Environment.GetEnvironmentVariable("RUNTIME_AGENT_UPPER") is { Length: > 0 } configured ? configured : "auto";

    /// <summary>--userns when not given: $RUNTIME_AGENT_USERNS, else host.</summary>
    public static string DefaultUserNamespace() =>
        Environment.GetEnvironmentVariable("RUNTIME_AGENT_USERNS") is { Length: > 0 } configured ? configured : "host";

    /// <summary>
    /// <c>[--root DIR] run [FLAG…] IMAGE [CMD [ARG…]]</c> where every flag is one of a few common ones (-d, --name,
    /// -e, -u, -w, --hostname, --privileged, --cgroups, --security-opt, --init, --keep, --read-only, -q, --upper) in its
    /// plain form; null for anything else (another option, <c>--flag=value</c>, combined short flags, a response
    /// file, a missing image, help), which the full parser then handles, errors included.
    /// </summary>
    public static RunArguments? TryParse(string[] args)
    {
        var i = 0;
        var root = GlobalOptions.DefaultRootPath();
        if (args.Length > 1 && args[0] == "--root" && !args[1].StartsWith('-') && !args[1].StartsWith('@')) (root, i) = (args[1], 2);
        if (i >= args.Length || args[i] != "run") return null;
        i++;
        bool detach = false, privileged = false, init = false, keep = false, readOnly = false, quiet = false;
        string? name = null, user = null, workdir = null, hostname = null;
        var cgroups = "enabled";
        var upper = DefaultUpper();
        List<string> env = [], securityOpt = [];
        for (; i < args.Length && args[i].StartsWith('-'); i++)
        {
            var flag = args[i];
            if (flag is "-d" or "--detach") detach = true;
            else if (flag == "--privileged") privileged = true;
            else if (flag == "--init") init = true;
            else if (flag == "--keep") keep = true;
            else if (flag == "--read-only") readOnly = true;
            else if (flag is "-q" or "--quiet") quiet = true;
            else if (i + 1 >= args.Length || args[i + 1].StartsWith('@') || args[i + 1].StartsWith('-')) return null;
            else if (flag == "--name") name = args[++i];
            else if (flag is "-u" or "--user") user = args[++i];
            else if (flag is "-w" or "--workdir") workdir = args[++i];
            else if (flag == "--hostname") hostname = args[++i];
            else if (flag is "-e" or "--env") env.Add(args[++i]);
            else if (flag == "--security-opt") securityOpt.Add(args[++i]);
            else if (flag == "--cgroups" && args[i + 1] is "enabled" or "disabled") cgroups = args[++i];
            else if (flag == "--upper" && args[i + 1] is "auto" or "tmpfs" or "disk") upper = args[++i];
            else return null;
        }
        if (i >= args.Length || args[i].StartsWith('@')) return null;
        return new RunArguments
        {
            Root = root,
            Image = args[i],
            Command = args[(i + 1)..],
            Detach = detach, Privileged = privileged, Init = init, Keep = keep, ReadOnly = readOnly, Quiet = quiet,
            Name = name, User = user, Workdir = workdir, Hostname = hostname, Cgroups = cgroups, Upper = upper,
            Env = [.. env], SecurityOpt = [.. securityOpt],
        };
    }
}
