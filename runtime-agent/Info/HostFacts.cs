using RuntimeAgent.Run.Isolation.Cgroups;
using RuntimeAgent.Run.UserNamespaces;
using RuntimeAgent.Snapshots;
using RuntimeAgent.Store;

namespace RuntimeAgent.Info;

/// <summary>One capability of the host for this agent: whether it is there, and one line saying what was found.</summary>
public sealed record Capability(bool Available, string Detail);

/// <summary>A subordinate id range (/etc/subuid, /etc/subgid, or a line of this process's uid_map/gid_map).</summary>
public sealed record IdRangeFact(string Owner, long Start, long Count);

/// <summary>What <c>runtime-agent info</c> reports: how this agent runs on this host, each fact probed, not assumed.</summary>
public sealed record HostFacts(
    string Mode, string UserName, long Uid, string StateDirectory, string Kernel,
    Capability UserNamespaces, IReadOnlyList<IdRangeFact> SubordinateUids, IReadOnlyList<IdRangeFact> SubordinateGids,
    IReadOnlyList<string> UidMap, IReadOnlyList<string> GidMap, string? NewUidMap,
    Capability IdmappedMounts, SnapshotterProbeResult Snapshots, Snapshotter? DefaultSnapshotter, string OverlayMode,
    CgroupSupport Cgroups, Capability Seccomp)
{
    /// <summary>Rootless with no subordinate uids or gids: what that limits; null otherwise.</summary>
    public string? MissingRanges => Mode != "rootless" || (SubordinateUids.Count > 0 && SubordinateGids.Count > 0) ? null
        : $"no subordinate {(SubordinateUids.Count == 0 ? "uids" : "")}{(SubordinateUids.Count == 0 && SubordinateGids.Count == 0 ? " or " : "")}" +
          $"{(SubordinateGids.Count == 0 ? "gids" : "")} are configured for {UserName} in /etc/subuid and /etc/subgid: only the user itself could be " +
          "mapped (to root inside), so pull, run and build refuse to start (image files of any other owner could not be kept); " +
          $"an administrator adds a range: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {UserName}";

    public static HostFacts Gather(StoreLayout layout)
    {
        var rootless = RootlessMode.Active;
        // The rootless agent is uid 0 of its own user namespace; the user it runs for is what 0 maps to.
        var uid = rootless ? HostUidOf(0) : RuntimeAgent.Native.Libc.Geteuid();
        var name = UserNameOf(uid) ?? uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var owner = rootless ? name : SubordinateIds.Owner;
        var probe = SnapshotterProbe.Result(layout);
        var chosen = rootless ? probe.Chosen : Snapshotter.Overlay;
        return new HostFacts(
            rootless ? "rootless" : "root", name, uid, layout.Root, File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            HostProbes.UserNamespaces(), Ranges(SubordinateIds.UidFile, owner, uid), Ranges(SubordinateIds.GidFile, owner, uid),
            MapLines("uid_map"), MapLines("gid_map"), HostProbes.Program("newuidmap"),
            HostProbes.IdmappedMounts(rootless), probe, chosen, Describe(chosen, rootless),
            CgroupDelegation.Detect(rootless), HostProbes.Seccomp());
    }

    private static string Describe(Snapshotter? chosen, bool rootless) => chosen switch
    {
        Snapshotter.Overlay => rootless ? "kernel overlay (userxattr: user.overlay.* xattrs)" : "kernel overlay (trusted.overlay.* xattrs)",
        Snapshotter.FuseOverlayfs => "fuse-overlayfs",
        null => "none",
        { } other => SnapshotterNames.Name(other),
    };

    private static IReadOnlyList<IdRangeFact> Ranges(string file, string owner, long uid)
    {
        var ranges = SubordinateIds.RangesOf(file, owner);
        if (ranges.Count == 0) ranges = SubordinateIds.RangesOf(file, uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ranges.Select(r => new IdRangeFact(owner, r.Start, r.Count)).ToList();
    }

    private static IReadOnlyList<string> MapLines(string map) =>
        File.ReadLines($"/proc/self/{map}").Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();

    private static long HostUidOf(long inside) =>
        File.ReadLines("/proc/self/uid_map").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray())
            .Where(f => f.Length == 3 && inside >= f[0] && inside < f[0] + f[2]).Select(f => f[1] + inside - f[0]).FirstOrDefault(inside);

    private static string? UserNameOf(long uid) =>
        File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 2 && f[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture))?[0];
}
