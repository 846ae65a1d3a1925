using System.Globalization;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.Isolation.Cgroups;

/// <summary>The container's cgroup on the unified hierarchy: /sys/fs/cgroup/runtime-agent/ID, one directory for every controller.</summary>
internal static class CgroupV2
{
    private static readonly string[] Controllers = ["memory", "pids", "cpu"];

    public static void Create(ContainerCgroup cgroup, string parent, string id, ResourceLimits limits)
    {
        var directory = Path.Join(parent, id);
        if (MkdirAt(AtFdCwd, directory, 0x1ed) < 0)
        {
            if (LastError != ENoEnt) Fail(directory);
            PrepareParent(parent, limits);
            if (MkdirAt(AtFdCwd, directory, 0x1ed) < 0) Fail(directory);
        }
        cgroup.Add(directory, memory: true);

        if (limits.PidsLimit > 0) CgroupFiles.Write(directory, "pids.max", limits.PidsLimit.ToString(CultureInfo.InvariantCulture), "--pids-limit");
        if (limits.MemoryBytes is { } memory)
        {
            CgroupFiles.Write(directory, "memory.max", memory.ToString(CultureInfo.InvariantCulture), "--memory");
            // v2 limits swap alone; Docker's --memory-swap is memory plus swap (unset: as much swap as memory).
            var swap = limits.MemorySwapBytes switch { -1 => "max", { } total => (total - memory).ToString(CultureInfo.InvariantCulture), null => memory.ToString(CultureInfo.InvariantCulture) };
            var written = CgroupFiles.TryWrite(AtFdCwd, Path.Join(directory, "memory.swap.max"), swap);
            if (written < 0 && limits.MemorySwapBytes is not null)
                throw new ContainerSetupException($"--memory-swap: this kernel does not account swap in cgroups (memory.swap.max: {ErrorText(-written)})");
        }
        if (limits.Cpus is { } cpus)
            CgroupFiles.Write(directory, "cpu.max", $"{(long)Math.Round(cpus * 100_000)} 100000", "--cpus");
        if (limits.CpuWeight is { } weight)
            CgroupFiles.Write(directory, "cpu.weight", weight.ToString(CultureInfo.InvariantCulture), "--cpu-weight");
    }

    /// <summary>Once per host: the parent directory, with the controllers enabled for its children.</summary>
    private static void PrepareParent(string parent, ResourceLimits limits)
    {
        if (MkdirAt(AtFdCwd, parent, 0x1ed) < 0 && LastError != EExist) Fail(parent);
        var root = Path.GetDirectoryName(parent)!;
        var available = File.ReadAllText(Path.Join(root, "cgroup.controllers")).Split(' ', StringSplitOptions.TrimEntries);
        foreach (var controller in Controllers)
        {
            if (!available.Contains(controller))
            {
                if (Needs(controller, limits)) throw new ContainerSetupException($"this host's cgroup v2 hierarchy has no {controller} controller, which {Flag(controller)} needs");
                continue;
            }
            CgroupFiles.Write(root, "cgroup.subtree_control", "+" + controller, "enable the " + controller + " controller");
            CgroupFiles.Write(parent, "cgroup.subtree_control", "+" + controller, "enable the " + controller + " controller");
        }
    }

    private static bool Needs(string controller, ResourceLimits limits) => controller switch
    {
        "memory" => limits.MemoryBytes is not null,
        "pids" => limits.PidsLimit != ResourceLimits.DefaultPidsLimit && limits.PidsLimit > 0,
        _ => limits.Cpus is not null || limits.CpuWeight is not null,
    };

    private static string Flag(string controller) => controller switch { "memory" => "--memory", "pids" => "--pids-limit", _ => "--cpus/--cpu-weight" };

    private static void Fail(string directory) =>
        throw new ContainerSetupException($"cannot create the cgroup {directory}: {ErrorText(LastError)}");
}
