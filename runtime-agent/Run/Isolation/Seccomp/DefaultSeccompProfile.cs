using static RuntimeAgent.Run.Isolation.Capabilities;

namespace RuntimeAgent.Run.Isolation.Seccomp;

/// <summary>
/// The default filter: a deny-list. Everything is allowed except the calls a container has no business making,
/// which fail with EPERM (ENOSYS for clone3, so libc falls back to clone, whose flags the filter can read). A
/// group is lifted when the container holds the capability that the kernel itself requires for those calls, as
/// Docker's and podman's profiles do. Why a deny-list and not their allow-list: docs/decisions/005-seccomp-filter.md.
/// </summary>
public static class DefaultSeccompProfile
{
    private const int ENoSys = 38;

    // clone(2)/unshare(2) flags that create namespaces. A new user namespace needs no capability at all, and inside
    // one the process is root again: the first step of many escapes.
    private static readonly ulong[] NamespaceFlags =
        [0x00020000 /* NEWNS */, 0x02000000 /* NEWCGROUP */, 0x04000000 /* NEWUTS */, 0x08000000 /* NEWIPC */,
         0x10000000 /* NEWUSER */, 0x20000000 /* NEWPID */, 0x40000000 /* NEWNET */, 0x00000080 /* NEWTIME */];

    /// <summary>(the capabilities that lift a group: any one of them; none = always denied, the calls)</summary>
    private static readonly (int[] LiftedBy, string[] Calls)[] Denied =
    [
        // Kernel modules and replacing or stopping the kernel.
        ([SysModule], ["init_module", "finit_module", "delete_module"]),
        ([SysBoot], ["reboot", "kexec_load", "kexec_file_load"]),
        // The clock is the host's: it is not namespaced.
        ([SysTime], ["settimeofday", "stime", "clock_settime", "clock_settime64", "clock_adjtime", "clock_adjtime64"]),
        // Mounts and namespaces: the container's tree is built for it; changing it is how one reaches the host.
        ([SysAdmin], ["mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
            "open_tree", "mount_setattr", "setns", "swapon", "swapoff", "quotactl", "quotactl_fd", "fanotify_init",
            "lookup_dcookie"]),
        // Reading any host file by handle (the "shocker" escape).
        ([DacReadSearch], ["open_by_handle_at"]),
        ([Bpf, SysAdmin], ["bpf"]),
        ([Perfmon, SysAdmin], ["perf_event_open"]),
        ([SysRawio], ["iopl", "ioperm"]),
        ([SysPacct], ["acct"]),
        ([Syslog], ["syslog"]),
        ([SysTtyConfig], ["vhangup"]),
        ([SysNice], ["get_mempolicy", "set_mempolicy", "mbind", "move_pages"]),
        // Keyrings are not namespaced: one container could read or fill another's keys.
        ([], ["add_key", "keyctl", "request_key"]),
        // Page-fault handling from user space widens kernel race windows; io_uring bypasses seccomp for its operations.
        ([], ["userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register"]),
        // Obsolete or never-implemented calls, dead attack surface.
        ([], ["create_module", "get_kernel_syms", "query_module", "uselib", "ustat", "sysfs", "_sysctl", "nfsservctl",
            "afs_syscall", "vm86", "vm86old"]),
    ];

    /// <summary>The filter for a container holding <paramref name="capabilities"/>.</summary>
    public static SeccompFilter For(ulong capabilities)
    {
        bool Holds(int cap) => (capabilities & (1UL << cap)) != 0;
        var rules = new List<SeccompRule>();
        var deny = SeccompFilter.ActErrno(RuntimeAgent.Native.Libc.EPerm);
        foreach (var (liftedBy, calls) in Denied)
            if (Array.FindIndex(liftedBy, Holds) < 0) rules.Add(new SeccompRule(calls, deny, []));
        if (!Holds(SysAdmin))
        {
            // One rule per flag: a rule's comparisons must all hold, and any one of these flags is enough to deny.
            foreach (var flag in NamespaceFlags)
            {
                rules.Add(new SeccompRule(["unshare"], deny, [new(0, SeccompCompare.MaskedEqual, flag, flag)]));
                rules.Add(new SeccompRule(["clone"], deny, [new(0, SeccompCompare.MaskedEqual, flag, flag)]));
            }
            // clone3 passes its flags in memory, which seccomp cannot read: report it missing, and libc uses clone.
            rules.Add(new SeccompRule(["clone3"], SeccompFilter.ActErrno(ENoSys), []));
        }
        return new SeccompFilter(SeccompFilter.ActAllow,
            [SeccompFilter.ArchX86_64, SeccompFilter.ArchX86, SeccompFilter.ArchX32], rules);
    }
}
