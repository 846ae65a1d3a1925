namespace RuntimeAgent.Run.Isolation.Cgroups;

/// <summary>What this host's cgroups offer an agent: the hierarchy, and for a rootless agent its delegated subtree.</summary>
/// <param name="Version">"v2" (unified alone), "hybrid" (v1 controllers, a v2 tree at /sys/fs/cgroup/unified) or "v1".</param>
/// <param name="LimitsAvailable">Whether --memory, --pids-limit, --cpus… can be enforced for this agent.</param>
/// <param name="Subtree">A rootless agent's delegated cgroup directory (under /sys/fs/cgroup), else null.</param>
/// <param name="Detail">One line saying why.</param>
public sealed record CgroupSupport(string Version, bool LimitsAvailable, string? Subtree, string Detail);

/// <summary>
/// Finds the cgroup subtree delegated to an ordinary user, as the kernel's cgroup v2 documentation defines delegation
/// (Documentation/admin-guide/cgroup-v2.rst, "Delegation"): a directory on the unified hierarchy whose
/// <c>cgroup.procs</c>, <c>cgroup.subtree_control</c> (and <c>cgroup.threads</c>) files are chowned to the user, as
/// systemd does for user@UID.service. The delegatee may create sub-cgroups and move its processes between cgroups
/// it can write the common ancestor's cgroup.procs of; the controllers it can limit are those listed in the
/// subtree's cgroup.controllers. Cgroup v1 hierarchies (and the v1 controllers of a hybrid host) are never
/// delegated: a rootless agent on them has no limits.
/// </summary>
internal static class CgroupDelegation
{
    private const string Root = "/sys/fs/cgroup";
    public static readonly string[] Controllers = ["memory", "pids", "cpu"];

    public static string Version =>
        ContainerCgroup.IsUnified ? "v2" : Directory.Exists(Path.Join(Root, "unified")) && File.Exists(Path.Join(Root, "unified", "cgroup.procs")) ? "hybrid" : "v1";

    /// <summary>The hierarchy and whether limits work for this agent (root: the host's controllers; rootless: a delegated subtree).</summary>
    public static CgroupSupport Detect(bool rootless)
    {
        var version = Version;
        if (!rootless)
            return new(version, true, null, version == "v2"
                ? "the container gets /sys/fs/cgroup/runtime-agent/ID"
                : "the container gets runtime-agent/ID in each v1 controller (memory, pids, cpu)");
        if (version != "v2")
            return new(version, false, null,
                $"cgroup {version}: the controllers are v1 hierarchies, which are never delegated to an ordinary user (a delegated subtree needs cgroup v2 alone)");
        var own = OwnCgroup();
        if (own is null) return new(version, false, null, "this process's cgroup is not in /proc/self/cgroup");
        var subtree = DelegatedAncestor(own);
        if (subtree is null)
            return new(version, false, null, $"no ancestor of this process's cgroup {own} is delegated to this user (its cgroup.procs and cgroup.subtree_control are not the user's)");
        var available = File.ReadAllText(Path.Join(subtree, "cgroup.controllers")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var missing = Controllers.Where(c => !available.Contains(c)).ToList();
        return missing.Count == 0
            ? new(version, true, subtree, $"delegated subtree {subtree} (controllers {string.Join(' ', available)})")
            : new(version, false, subtree, $"delegated subtree {subtree} lacks the {string.Join(", ", missing)} controller(s); ask the administrator to delegate them (systemd: Delegate=memory pids cpu)");
    }

    /// <summary>This process's cgroup on the unified hierarchy, as a directory path.</summary>
    private static string? OwnCgroup() =>
        File.ReadLines("/proc/self/cgroup").Where(l => l.StartsWith("0::", StringComparison.Ordinal))
            .Select(l => Path.Join(Root, l[3..].TrimEnd())).FirstOrDefault();

    // The highest ancestor whose delegation files this agent owns. In the rootless agent's user namespace the user
    // is uid 0, so "owned by the user" reads as owned by 0 there and by an unmapped id (65534) where it is not.
    private static string? DelegatedAncestor(string cgroup)
    {
        string? found = null;
        for (var directory = cgroup; directory.Length > Root.Length; directory = Path.GetDirectoryName(directory)!)
        {
            if (!OwnedByUs(Path.Join(directory, "cgroup.procs")) || !OwnedByUs(Path.Join(directory, "cgroup.subtree_control"))) break;
            found = directory;
        }
        return found;
    }

    private static bool OwnedByUs(string path) =>
        Native.Libc.FstatAt(Native.Libc.AtFdCwd, path, out var stat, 0) == 0 && stat.Uid == Native.Libc.Geteuid();
}
