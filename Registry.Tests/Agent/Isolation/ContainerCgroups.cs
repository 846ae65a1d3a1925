namespace Registry.Tests.Agent.Isolation;

/// <summary>Where the agent puts a container's cgroup on this host (cgroup v2 alone, or v1/hybrid), read from the host side.</summary>
public static class ContainerCgroups
{
    public static bool Unified => File.Exists("/sys/fs/cgroup/cgroup.controllers");

    /// <summary>The container's cgroup directory holding <paramref name="controller"/> (one directory on v2).</summary>
    public static string Directory(string id, string controller) =>
        Unified ? $"/sys/fs/cgroup/runtime-agent/{id}" : $"/sys/fs/cgroup/{controller}/runtime-agent/{id}";

    /// <summary>Every directory the container's cgroup may have, for checking that none is left.</summary>
    public static IEnumerable<string> AllDirectories(string id) =>
        Unified ? [Directory(id, "")] : new[] { "memory", "pids", "cpu", "cpuacct" }.Select(c => Directory(id, c));

    /// <summary>CPU time the container has used, in nanoseconds.</summary>
    public static long CpuUsageNanoseconds(string id) => Unified
        ? Key(Path.Join(Directory(id, "cpu"), "cpu.stat"), "usage_usec") * 1000
        : long.Parse(File.ReadAllText(Path.Join(Directory(id, "cpuacct"), "cpuacct.usage")).Trim());

    /// <summary>How many CFS periods the container was throttled in (cpu.stat nr_throttled, both versions).</summary>
    public static long ThrottledPeriods(string id) => Key(Path.Join(Directory(id, "cpu"), "cpu.stat"), "nr_throttled");

    /// <summary>The CPU quota per 100 ms period, in microseconds.</summary>
    public static long CpuQuotaMicroseconds(string id) => Unified
        ? long.Parse(File.ReadAllText(Path.Join(Directory(id, "cpu"), "cpu.max")).Split(' ')[0])
        : long.Parse(File.ReadAllText(Path.Join(Directory(id, "cpu"), "cpu.cfs_quota_us")).Trim());

    public static long PidsCurrent(string id) => long.Parse(File.ReadAllText(Path.Join(Directory(id, "pids"), "pids.current")).Trim());

    /// <summary>How many forks the pids limit refused (pids.events "max").</summary>
    public static long PidsRefused(string id) => Key(Path.Join(Directory(id, "pids"), "pids.events"), "max");

    private static long Key(string path, string key) =>
        File.ReadLines(path).Select(l => l.Split(' ')).Where(p => p[0] == key).Select(p => long.Parse(p[1])).FirstOrDefault();
}
