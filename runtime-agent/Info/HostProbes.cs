using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Info;

/// <summary>The kernel features <c>info</c> reports, each checked on this host (a file the kernel provides, or a system call tried).</summary>
internal static class HostProbes
{
    private static readonly string[] SearchPath = ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"];

    public static Capability UserNamespaces()
    {
        if (!File.Exists("/proc/self/ns/user")) return new(false, "this kernel has no user namespaces (CONFIG_USER_NS)");
        var max = Read("/proc/sys/user/max_user_namespaces");
        if (max == "0") return new(false, "user.max_user_namespaces is 0");
        // Debian's own switch for unprivileged user namespaces (absent on kernels without Debian's patch).
        var unprivileged = Read("/proc/sys/kernel/unprivileged_userns_clone");
        return new(true, $"max_user_namespaces {max}" + (unprivileged is null ? "" : $", unprivileged_userns_clone {unprivileged}"));
    }

    /// <summary>mount_setattr(2) called with no mount: ENOSYS when the kernel lacks it, EBADF/EINVAL when it has it.</summary>
    public static Capability IdmappedMounts(bool rootless)
    {
        var result = RuntimeAgent.Native.Libc.MountSetIdmap(-1, -1, recursive: false);
        var error = result < 0 ? LastError : 0;
        const int ENoSys = 38;
        if (error == ENoSys) return new(false, "this kernel has no mount_setattr(2) (Linux 5.12+)");
        var overlay = RuntimeAgent.Run.KernelRelease.AtLeast(RuntimeAgent.Run.UserNamespaces.IdmappedMounts.MinimumKernel);
        return new(overlay, overlay
            ? "mount_setattr(MOUNT_ATTR_IDMAP) present; overlay accepts idmapped layers (5.19+); " +
              (rootless ? "used by a root agent's --userns=auto, not in rootless mode" : "used by --userns=auto")
            : $"mount_setattr present, but overlay over idmapped layers needs Linux {RuntimeAgent.Run.UserNamespaces.IdmappedMounts.MinimumKernel}+ (this is {RuntimeAgent.Run.KernelRelease.Name})");
    }

    public static Capability Seccomp()
    {
        var status = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Seccomp:", StringComparison.Ordinal));
        if (status is null) return new(false, "this kernel has no seccomp (CONFIG_SECCOMP)");
        var actions = Read("/proc/sys/kernel/seccomp/actions_avail");
        return actions is null
            ? new(false, "seccomp strict mode only (no filter mode)")
            : new(true, $"filter mode (actions: {actions}); containers get the default filter (decision 005) unless --security-opt seccomp=unconfined");
    }

    public static string? Program(string name) => SearchPath.Select(d => Path.Join(d, name)).FirstOrDefault(File.Exists);

    private static string? Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;
}
