using System.Globalization;

namespace RuntimeAgent.Run.Isolation.Cgroups;

/// <summary>
/// A container's resource limits, as `run` spells them (Docker's and podman's flags). Null means "not set";
/// <see cref="PidsLimit"/> has a default (podman's 2048) so that a fork bomb cannot take the host down.
/// </summary>
public sealed record ResourceLimits
{
    public const long DefaultPidsLimit = 2048;

    /// <summary>--memory: bytes of memory (RAM) the container may use.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>--memory-swap: memory plus swap, in bytes; -1 for unlimited swap. Unset: as much swap as memory (Docker).</summary>
    public long? MemorySwapBytes { get; init; }

    /// <summary>--pids-limit: processes and threads; 0 or less for unlimited.</summary>
    public long PidsLimit { get; init; } = DefaultPidsLimit;

    /// <summary>--cpus: CPU time per wall-clock time (0.5 = half a core), enforced per 100 ms period.</summary>
    public double? Cpus { get; init; }

    /// <summary>--cpu-weight: share of CPU under contention, 1–10000 (cgroup v2's cpu.weight; 100 is the default).</summary>
    public int? CpuWeight { get; init; }

    public static readonly ResourceLimits Default = new();

    /// <summary>Parses the flags' values; a bad one is a clear, user-facing error.</summary>
    public static ResourceLimits Parse(string? memory, string? memorySwap, long? pidsLimit, string? cpus, int? cpuWeight)
    {
        var limits = new ResourceLimits
        {
            MemoryBytes = memory is null ? null : Bytes("--memory", memory),
            MemorySwapBytes = memorySwap is null ? null : memorySwap == "-1" ? -1 : Bytes("--memory-swap", memorySwap),
            PidsLimit = pidsLimit ?? DefaultPidsLimit,
            Cpus = cpus is null ? null
                : double.TryParse(cpus, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c > 0 && c <= 4096 ? c
                : throw Invalid("--cpus", cpus, "a positive number of CPUs such as 0.5 or 2"),
            CpuWeight = cpuWeight is null or (>= 1 and <= 10000) ? cpuWeight : throw Invalid("--cpu-weight", cpuWeight.ToString()!, "1 to 10000"),
        };
        if (limits.MemoryBytes is < 6 * 1024 * 1024)
            throw Invalid("--memory", memory!, "at least 6m (the kernel needs some room to start anything)");
        if (limits.MemorySwapBytes is { } swap and >= 0)
        {
            if (limits.MemoryBytes is not { } mem) throw Invalid("--memory-swap", memorySwap!, "set together with --memory");
            if (swap < mem) throw Invalid("--memory-swap", memorySwap!, "memory plus swap, so at least --memory");
        }
        return limits;
    }

    /// <summary>
    /// --cgroups=disabled: no cgroup, so no limit; a limit flag given with it is an error rather than silently ignored.
    /// Returns null, which the runners read as "no cgroup of its own".
    /// </summary>
    public static ResourceLimits? WithoutCgroup(string? memory, string? memorySwap, long? pidsLimit, string? cpus, int? cpuWeight)
    {
        string[] given = [.. memory is null ? [] : new[] { "--memory" }, .. memorySwap is null ? [] : new[] { "--memory-swap" },
            .. pidsLimit is null ? [] : new[] { "--pids-limit" }, .. cpus is null ? [] : new[] { "--cpus" },
            .. cpuWeight is null ? [] : new[] { "--cpu-weight" }];
        return given.Length == 0 ? null
            : throw new ContainerSetupException($"{string.Join(", ", given)}: a limit needs a cgroup, and --cgroups=disabled gives the container none");
    }

    /// <summary>BYTES[b|k|m|g], as Docker reads them (binary units).</summary>
    public static long Bytes(string flag, string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var (digits, unit) = t.Length > 0 && char.IsLetter(t[^1]) ? (t[..^1], t[^1]) : (t, 'b');
        var factor = unit switch { 'b' => 1L, 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 0 };
        return factor > 0 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= long.MaxValue / factor
            ? n * factor
            : throw Invalid(flag, text, "a size such as 64m, 512k or 2g");
    }

    /// <summary>A size for people: "64 MiB".</summary>
    public static string Describe(long bytes) =>
        bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB" : bytes % (1L << 20) == 0 ? $"{bytes >> 20} MiB"
        : bytes % 1024 == 0 ? $"{bytes >> 10} KiB" : $"{bytes} bytes";

    private static ContainerSetupException Invalid(string flag, string value, string expected) =>
        new($"invalid {flag} '{value}': expected {expected}");
}
