using System.Text;
using RuntimeAgent.Run;
using RuntimeAgent.Run.Isolation;

namespace RuntimeAgent.Containers;

/// <summary>
/// What a monitor needs to start its container's first run in the namespaces and root that <c>run -d</c> has already
/// built on a thread of its own (<see cref="PreparedContainer"/>): that thread (CLI pid and thread id, for
/// /proc/PID/task/TID/ns/* and root), the command resolved inside the root, and the security profile and cgroups it
/// starts under. Handed over on the monitor's id pipe after the id, as NUL-separated fields: the monitor then needs
/// no System.Text.Json before it reports (the CLI has the records' JSON ready; the monitor reads them afterwards).
/// </summary>
internal sealed record FirstStart(int CliPid, int ThreadId, ContainerCommand Command, string WorkingDir, SecurityProfile Security,
    IReadOnlyList<string> CgroupDirectories)
{
    /// <summary>Whether <c>run -d</c> can build this container's first run itself; else the monitor builds it from spec.json.</summary>
    public static bool Fits(ContainerSpec spec, DetachOptions options) =>
        spec.Snapshotter == Snapshots.Snapshotter.Overlay && !spec.Tty && !spec.ReapZombies && spec.UserNamespace is null
        && spec.Scratch is null && options.Ports.Count == 0 && ProcMount.SupportsPidNamespaceOption && !Run.UserNamespaces.RootlessMode.Active;

    /// <summary>
    /// <see cref="Fits"/> guessed from the command line alone, before the image is resolved (the monitor is spawned first):
    /// a wrong guess costs time, never correctness.
    /// </summary>
    public static bool Expected(Commands.RunArguments a) =>
        !a.Tty && !a.Init && a.UserNamespace != "auto" && a.Publish.Length == 0 && (a.Snapshotter is null or "overlay")
        && !Run.UserNamespaces.RootlessMode.Active;

    public byte[] Encode()
    {
        var fields = new List<string>
        {
            CliPid.ToString(), ThreadId.ToString(), Command.Path, WorkingDir,
            Command.User.Uid.ToString(), Command.User.Gid.ToString(), string.Join(',', Command.User.SupplementaryGroups), Command.User.Home,
            Security.Capabilities.ToString(), Security.NoNewPrivileges ? "1" : "0", Security.SeccompProgramPath ?? "", Security.MaskKernelPaths ? "1" : "0",
        };
        foreach (var list in new[] { Command.Args, Command.Env, CgroupDirectories })
        {
            fields.Add(list.Count.ToString());
            fields.AddRange(list);
        }
        return Encoding.UTF8.GetBytes(string.Join('\0', fields));
    }

    /// <summary>The fields <see cref="Encode"/> wrote; null when there are none (the monitor then builds the run itself).</summary>
    public static FirstStart? Decode(string text)
    {
        if (text.Length == 0) return null;
        var fields = new Fields(text.Split('\0'));
        var (cliPid, threadId, path, workingDir) = (int.Parse(fields.Next()), int.Parse(fields.Next()), fields.Next(), fields.Next());
        var (uid, gid, groups, home) = (uint.Parse(fields.Next()), uint.Parse(fields.Next()), fields.Next(), fields.Next());
        var security = new SecurityProfile
        {
            Capabilities = ulong.Parse(fields.Next()),
            NoNewPrivileges = fields.Next() == "1",
            SeccompProgramPath = fields.Next() is { Length: > 0 } seccomp ? seccomp : null,
            MaskKernelPaths = fields.Next() == "1",
        };
        var (args, env, cgroups) = (fields.NextList(), fields.NextList(), fields.NextList());
        var groupIds = groups.Length == 0 ? [] : Array.ConvertAll(groups.Split(','), uint.Parse);
        return new FirstStart(cliPid, threadId, new ContainerCommand(path, args, env, new ContainerUser(uid, gid, groupIds, home)), workingDir, security, cgroups);
    }

    /// <summary>Plain loops rather than LINQ: this runs on the monitor's path to its report, where every new code page costs.</summary>
    private sealed class Fields(string[] fields)
    {
        private int _next;

        public string Next() => fields[_next++];

        public string[] NextList()
        {
            var list = new string[int.Parse(Next())];
            for (var i = 0; i < list.Length; i++) list[i] = Next();
            return list;
        }
    }
}
