using System.Runtime.InteropServices;
using RuntimeAgent.Run.Isolation.Cgroups;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>
/// The agent run by an ordinary user. Such an agent cannot chown, mount or mknod on the host, so it runs as root of a
/// user namespace of its own that maps the user to 0 and the user's subordinate ids (/etc/subuid, /etc/subgid, written
/// by Debian's setuid newuidmap/newgidmap) to 1…. The NativeAOT executable enters it in place before the runtime starts
/// (rootless-entry.c, an ELF constructor: one process, no second runtime start); where that did not happen (a JIT
/// build, a user without ranges or tools, which this path reports) <see cref="Reexec"/> re-executes the agent inside
/// one. Images with files of many
/// owners unpack with their owners, and every container namespace below is owned by that user namespace. The state
/// lives under $XDG_DATA_HOME/runtime-agent (default ~/.local/share/runtime-agent); the overlay is mounted with
/// <c>userxattr</c> (or fuse-overlayfs, Snapshots/SnapshotterProbe); a container gets a cgroup of its own only for limit
/// flags, in the subtree delegated to the user, and the flags are refused in one line where there is none.
/// </summary>
internal static class RootlessMode
{
    /// <summary>Set in the re-executed agent's environment: it is the rootless agent, inside its user namespace.</summary>
    public const string Marker = "RUNTIME_AGENT_ROOTLESS";

    public static readonly bool Active = Environment.GetEnvironmentVariable(Marker) == "1";

    /// <summary>True for an ordinary user's agent before it re-executed itself.</summary>
    public static bool NeedsUserNamespace => !Active && Geteuid() != 0;

    public static string DefaultRoot() =>
        Path.Join(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } data ? data
            : Path.Join(Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"),
            "runtime-agent");

    /// <summary>Runs this agent again as root of a new user namespace; returns its exit code.</summary>
    public static int Reexec(string[] args)
    {
        var user = Environment.UserName;
        var uid = Geteuid();
        var gid = Getegid();
        var uids = SubordinateIds.TryOf(SubordinateIds.UidFile, user, uid);
        var gids = SubordinateIds.TryOf(SubordinateIds.GidFile, user, gid);
        // Without ranges only `info` runs (to say so and what it limits), in a namespace that maps the user alone —
        // which the user may write itself, with setgroups denied first, as the kernel requires without newgidmap.
        var userAlone = uids is null || gids is null;
        if (userAlone && !IsInfo(args))
        {
            SubordinateIds.Of(SubordinateIds.UidFile, user, uid); // throws the one-line refusal naming the missing range
            SubordinateIds.Of(SubordinateIds.GidFile, user, gid);
        }
        var agent = Environment.ProcessPath ?? throw new ContainerSetupException("cannot find the agent's own executable");
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}").Where(e => !e.StartsWith(Marker + "=", StringComparison.Ordinal)).Append($"{Marker}=1").ToList();
        using var child = UserNamespaceChild.Clone(agent, [agent, .. args], env, namespaces: 0, newProcessGroup: false, dropGroups: !userAlone);
        if (userAlone)
        {
            File.WriteAllText($"/proc/{child.Pid}/setgroups", "deny");
            File.WriteAllText($"/proc/{child.Pid}/uid_map", $"0 {uid} 1\n");
            File.WriteAllText($"/proc/{child.Pid}/gid_map", $"0 {gid} 1\n");
        }
        else
        {
            // Both at once, with posix_spawn: they are on the start-up path of every rootless command.
            using var uidMap = IdMapTool.Start("newuidmap", child.Pid, uid, uids!.Value, env);
            using var gidMap = IdMapTool.Start("newgidmap", child.Pid, gid, gids!.Value, env);
            uidMap.Finish();
            gidMap.Finish();
        }
        // On a terminal ^C and ^\ reach the child from it directly; anything else sent to us is passed on once.
        var terminal = Isatty(0) == 1;
        var registrations = new[] { (PosixSignal.SIGHUP, 1), (PosixSignal.SIGINT, 2), (PosixSignal.SIGQUIT, 3), (PosixSignal.SIGTERM, 15) }
            .Select(s => PosixSignalRegistration.Create(s.Item1, context =>
            {
                context.Cancel = true;
                if (!(terminal && s.Item2 is 2 or 3)) Kill(child.Pid, s.Item2);
            }))
            .ToList();
        try
        {
            child.Release();
            return ProcessStart.Wait(child.Pid);
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    /// <summary>
    /// Without limit flags a rootless container stays in the agent's cgroup (null). With them it gets a cgroup in the
    /// cgroup v2 subtree delegated to the user (<see cref="CgroupDelegation"/>); where there is none the flags are
    /// refused in one line saying why, never ignored.
    /// </summary>
    public static ResourceLimits? Limits(ResourceLimits? requested, bool limitFlagGiven)
    {
        if (!limitFlagGiven) return null;
        var support = CgroupDelegation.Detect(rootless: true);
        return support.LimitsAvailable ? requested : throw new ContainerSetupException(
            $"rootless: --memory, --memory-swap, --pids-limit, --cpus and --cpu-weight need a cgroup v2 subtree delegated to this user; {support.Detail}; run without them", 125);
    }

    // The command is the first word that is neither an option nor --root's value.
    private static bool IsInfo(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--root") i++;
            else if (!args[i].StartsWith('-')) return args[i] == "info";
        }
        return false;
    }
}
