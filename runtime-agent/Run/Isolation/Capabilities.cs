namespace RuntimeAgent.Run.Isolation;

/// <summary>
/// Linux capabilities by name (capabilities(7), <c>CAP_</c> prefix optional, any case) and as 64-bit masks, the
/// form capset(2) and /proc/PID/status use.
/// </summary>
public static class Capabilities
{
    private static readonly string[] Names =
    [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ];

    public const int DacReadSearch = 2, SysModule = 16, SysRawio = 17, SysPtrace = 19, SysPacct = 20, SysAdmin = 21,
        SysBoot = 22, SysNice = 23, SysTime = 25, SysTtyConfig = 26, Syslog = 34, Perfmon = 38, Bpf = 39;

    /// <summary>
    /// The container default, podman's: enough to run as root inside and to change to another user, nothing that
    /// reaches the kernel, devices or the network configuration (no MKNOD, NET_RAW or AUDIT_WRITE, which Docker adds).
    /// </summary>
    public static readonly ulong Default = Mask(
        "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP",
        "SETUID", "SYS_CHROOT");

    /// <summary>Every capability the agent itself holds (its permitted set): what --privileged grants.</summary>
    public static ulong All => Native.Libc.CapgetThisThread().Permitted;

    /// <summary>The bit of one capability, from its name; unknown names throw a user-facing error.</summary>
    public static ulong Bit(string name)
    {
        var bare = name.Trim().ToUpperInvariant();
        if (bare.StartsWith("CAP_", StringComparison.Ordinal)) bare = bare[4..];
        var index = Array.IndexOf(Names, bare);
        return index >= 0 ? 1UL << index : throw new ContainerSetupException($"unknown capability '{name}' (see capabilities(7), e.g. NET_ADMIN)");
    }

    public static ulong Mask(params string[] names) => names.Aggregate(0UL, (mask, name) => mask | Bit(name));

    /// <summary>The names in a mask, for messages and docs.</summary>
    public static IEnumerable<string> NamesOf(ulong mask) =>
        Enumerable.Range(0, 64).Where(i => (mask & (1UL << i)) != 0).Select(i => i < Names.Length ? Names[i] : $"CAP_{i}");

    /// <summary>
    /// The set a container gets: the default (or all, privileged), minus --cap-drop, plus --cap-add (ALL allowed in
    /// both). A container can only get what the agent holds: asking for more is an error, not a silent drop.
    /// </summary>
    public static ulong Resolve(bool privileged, IEnumerable<string> add, IEnumerable<string> drop)
    {
        var set = privileged ? All : Default;
        foreach (var name in drop) set &= name.Equals("ALL", StringComparison.OrdinalIgnoreCase) ? 0 : ~Bit(name);
        foreach (var name in add) set |= name.Equals("ALL", StringComparison.OrdinalIgnoreCase) ? All : Bit(name);
        var missing = set & ~All;
        if (missing != 0)
            throw new ContainerSetupException($"the agent itself does not hold {string.Join(", ", NamesOf(missing).Select(n => "CAP_" + n))}, so a container cannot get it");
        return set;
    }
}
