using System.Text.Json;

namespace RuntimeAgent.Run.Isolation.Seccomp;

/// <summary>
/// Reads a seccomp profile in Docker's JSON format, which is also the OCI runtime spec's <c>linux.seccomp</c>
/// object (Docker adds <c>archMap</c> and per-rule <c>includes</c>/<c>excludes</c> by capability and
/// architecture): the profiles users already have, such as Docker's default.json or podman's seccomp.json.
/// See: https://docs.docker.com/engine/security/seccomp/ and
/// https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#seccomp
/// </summary>
public static class DockerSeccompProfile
{
    private const string Amd64 = "amd64";

    public static SeccompFilter Load(string path, ulong capabilities)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContainerSetupException($"seccomp profile {path}: {e.Message}");
        }
        try
        {
            using var json = JsonDocument.Parse(bytes);
            return Parse(json.RootElement, capabilities);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new ContainerSetupException($"seccomp profile {path} is invalid: {e.Message}");
        }
    }

    public static SeccompFilter Parse(JsonElement root, ulong capabilities)
    {
        var defaultErrno = root.TryGetProperty("defaultErrnoRet", out var d) ? d.GetInt32() : 1;
        var defaultAction = Action(root.GetProperty("defaultAction").GetString()!, defaultErrno, null);
        var rules = new List<SeccompRule>();
        if (root.TryGetProperty("syscalls", out var syscalls) && syscalls.ValueKind == JsonValueKind.Array)
            foreach (var entry in syscalls.EnumerateArray())
                if (Applies(entry, capabilities)) rules.AddRange(Rules(entry));
        return new SeccompFilter(defaultAction, Architectures(root), rules);
    }

    private static IEnumerable<SeccompRule> Rules(JsonElement entry)
    {
        var names = entry.TryGetProperty("names", out var n) && n.ValueKind == JsonValueKind.Array
            ? n.EnumerateArray().Select(x => x.GetString()!).ToList()
            : [entry.GetProperty("name").GetString()!];
        var errno = entry.TryGetProperty("errnoRet", out var e) ? e.GetInt32() : (int?)null;
        var action = Action(entry.GetProperty("action").GetString()!, errno ?? 1, errno);
        var args = entry.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(Argument).ToList() : [];
        // libseccomp takes one comparison per argument in a rule; like runc, several on one argument become one
        // rule each.
        if (args.GroupBy(x => x.Index).All(g => g.Count() == 1)) return [new SeccompRule(names, action, args)];
        return args.Select(x => new SeccompRule(names, action, [x]));
    }

    private static SeccompArgument Argument(JsonElement arg) => new(
        arg.GetProperty("index").GetUInt32(),
        arg.GetProperty("op").GetString() switch
        {
            "SCMP_CMP_NE" => SeccompCompare.NotEqual, "SCMP_CMP_LT" => SeccompCompare.Less,
            "SCMP_CMP_LE" => SeccompCompare.LessOrEqual, "SCMP_CMP_EQ" => SeccompCompare.Equal,
            "SCMP_CMP_GE" => SeccompCompare.GreaterOrEqual, "SCMP_CMP_GT" => SeccompCompare.Greater,
            "SCMP_CMP_MASKED_EQ" => SeccompCompare.MaskedEqual,
            var op => throw new FormatException($"unknown comparison '{op}'"),
        },
        arg.TryGetProperty("value", out var v) ? v.GetUInt64() : 0,
        arg.TryGetProperty("valueTwo", out var w) ? w.GetUInt64() : 0);

    private static uint Action(string name, int errno, int? explicitErrno) => name switch
    {
        "SCMP_ACT_ALLOW" => SeccompFilter.ActAllow,
        "SCMP_ACT_ERRNO" => SeccompFilter.ActErrno(errno),
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => SeccompFilter.ActKillThread,
        "SCMP_ACT_KILL_PROCESS" => SeccompFilter.ActKillProcess,
        "SCMP_ACT_TRAP" => SeccompFilter.ActTrap,
        "SCMP_ACT_LOG" => SeccompFilter.ActLog,
        "SCMP_ACT_TRACE" => SeccompFilter.ActTrace(explicitErrno ?? 0),
        _ => throw new FormatException($"unsupported action '{name}' (SCMP_ACT_NOTIFY needs a listener, which the agent does not run)"),
    };

    /// <summary>Docker's includes/excludes: by capability held and by architecture (this agent runs amd64 only).</summary>
    private static bool Applies(JsonElement entry, ulong capabilities)
    {
        bool HoldsAny(JsonElement caps) => caps.EnumerateArray().Any(c => (capabilities & Capabilities.Bit(c.GetString()!)) != 0);
        bool HasAmd64(JsonElement arches) => arches.EnumerateArray().Any(a => a.GetString() is Amd64 or "x86_64");
        if (entry.TryGetProperty("includes", out var inc))
        {
            if (inc.TryGetProperty("caps", out var caps) && caps.GetArrayLength() > 0 && !caps.EnumerateArray().All(c => (capabilities & Capabilities.Bit(c.GetString()!)) != 0)) return false;
            if (inc.TryGetProperty("arches", out var arches) && arches.GetArrayLength() > 0 && !HasAmd64(arches)) return false;
        }
        if (entry.TryGetProperty("excludes", out var exc))
        {
            if (exc.TryGetProperty("caps", out var caps) && HoldsAny(caps)) return false;
            if (exc.TryGetProperty("arches", out var arches) && HasAmd64(arches)) return false;
        }
        return true;
    }

    /// <summary>x86_64 always; the 32-bit and x32 ABIs when the profile lists them (any other architecture is killed).</summary>
    private static List<uint> Architectures(JsonElement root)
    {
        var names = new List<string>();
        if (root.TryGetProperty("architectures", out var list) && list.ValueKind == JsonValueKind.Array)
            names.AddRange(list.EnumerateArray().Select(a => a.GetString()!));
        if (root.TryGetProperty("archMap", out var map) && map.ValueKind == JsonValueKind.Array)
            foreach (var m in map.EnumerateArray().Where(m => m.GetProperty("architecture").GetString() == "SCMP_ARCH_X86_64"))
                if (m.TryGetProperty("subArchitectures", out var subs)) names.AddRange(subs.EnumerateArray().Select(a => a.GetString()!));
        var arches = new List<uint> { SeccompFilter.ArchX86_64 };
        if (names.Contains("SCMP_ARCH_X86")) arches.Add(SeccompFilter.ArchX86);
        if (names.Contains("SCMP_ARCH_X32")) arches.Add(SeccompFilter.ArchX32);
        return arches;
    }
}
