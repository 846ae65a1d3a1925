using System.Globalization;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.Isolation.Cgroups;

/// <summary>
/// The container's cgroup on v1 hierarchies (also hybrid hosts, whose v2 tree holds no controller): one
/// directory per controller, /sys/fs/cgroup/CONTROLLER/runtime-agent/ID. Comounted controllers (cpu,cpuacct)
/// share one directory.
/// </summary>
internal static class CgroupV1
{
    public static void Create(ContainerCgroup cgroup, string root, string parent, string id, ResourceLimits limits)
    {
        var made = new HashSet<string>();
        string? Make(string controller, bool needed, string flag)
        {
            var mount = Path.Join(root, controller);
            if (!CgroupFiles.Exists(Path.Join(mount, "cgroup.procs")))
            {
                if (needed) throw new ContainerSetupException($"{flag}: this host has no {controller} cgroup controller mounted at {mount}");
                return null;
            }
            // A comounted hierarchy is reached by several names (cpu -> cpu,cpuacct): one directory for all of them.
            var real = new DirectoryInfo(mount).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? mount;
            var directory = Path.Join(real, parent, id);
            if (!made.Add(directory)) return directory;
            if (MkdirAt(AtFdCwd, directory, 0x1ed) < 0)
            {
                if (LastError != ENoEnt || MkdirAt(AtFdCwd, Path.Join(real, parent), 0x1ed) < 0 && LastError != EExist
                    || MkdirAt(AtFdCwd, directory, 0x1ed) < 0)
                    throw new ContainerSetupException($"cannot create the cgroup {directory}: {ErrorText(LastError)}");
            }
            cgroup.Add(directory, memory: controller == "memory");
            return directory;
        }

        var pidsExplicit = limits.PidsLimit != ResourceLimits.DefaultPidsLimit && limits.PidsLimit > 0;
        if (Make("pids", pidsExplicit, "--pids-limit") is { } pids && limits.PidsLimit > 0)
            CgroupFiles.Write(pids, "pids.max", limits.PidsLimit.ToString(CultureInfo.InvariantCulture), "--pids-limit");

        if (Make("memory", limits.MemoryBytes is not null, "--memory") is { } memory && limits.MemoryBytes is { } bytes)
        {
            CgroupFiles.Write(memory, "memory.limit_in_bytes", bytes.ToString(CultureInfo.InvariantCulture), "--memory");
            // memory.memsw is memory plus swap, as Docker's --memory-swap; unset: as much swap as memory.
            var total = limits.MemorySwapBytes switch { -1 => "-1", { } t => t.ToString(CultureInfo.InvariantCulture), null => (2 * bytes).ToString(CultureInfo.InvariantCulture) };
            var written = CgroupFiles.TryWrite(AtFdCwd, Path.Join(memory, "memory.memsw.limit_in_bytes"), total);
            if (written < 0 && limits.MemorySwapBytes is not null)
                throw new ContainerSetupException($"--memory-swap: this kernel does not account swap (boot it with swapaccount=1): {ErrorText(-written)}");
        }

        var cpuNeeded = limits.Cpus is not null || limits.CpuWeight is not null;
        if (Make("cpu", cpuNeeded, "--cpus/--cpu-weight") is { } cpu)
        {
            if (limits.Cpus is { } cpus)
            {
                CgroupFiles.Write(cpu, "cpu.cfs_period_us", "100000", "--cpus");
                CgroupFiles.Write(cpu, "cpu.cfs_quota_us", ((long)Math.Round(cpus * 100_000)).ToString(CultureInfo.InvariantCulture), "--cpus");
            }
            if (limits.CpuWeight is { } weight) // cgroup v2 weight to v1 shares, the conversion runc and podman use
                CgroupFiles.Write(cpu, "cpu.shares", (2 + (weight - 1) * 262142L / 9999).ToString(CultureInfo.InvariantCulture), "--cpu-weight");
        }
        Make("cpuacct", false, ""); // CPU accounting, so the container's usage can be read
    }
}
