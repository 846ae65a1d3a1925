using System.Text.Json;

namespace RuntimeAgent.Run.Isolation.Seccomp;

/// <summary>
/// Writes a filter in the OCI runtime spec's <c>linux.seccomp</c> JSON (which Docker's profile format extends), so
/// the agent's default profile can be read, edited and given back with <c>--security-opt seccomp=FILE</c>, or given
/// to runc and podman (bench/agent.sh does, so the comparison with runc runs the same filter).
/// See: https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#seccomp
/// </summary>
public static class SeccompProfileWriter
{
    public static void Write(SeccompFilter filter, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        WriteAction(json, "defaultAction", filter.DefaultAction, "defaultErrnoRet");
        json.WriteStartArray("architectures");
        foreach (var arch in filter.Architectures) json.WriteStringValue(ArchitectureName(arch));
        json.WriteEndArray();
        json.WriteStartArray("syscalls");
        foreach (var rule in filter.Rules)
        {
            json.WriteStartObject();
            json.WriteStartArray("names");
            foreach (var name in rule.Names) json.WriteStringValue(name);
            json.WriteEndArray();
            WriteAction(json, "action", rule.Action, "errnoRet");
            if (rule.Arguments.Count > 0)
            {
                json.WriteStartArray("args");
                foreach (var argument in rule.Arguments)
                {
                    json.WriteStartObject();
                    json.WriteNumber("index", argument.Index);
                    json.WriteNumber("value", argument.Value);
                    json.WriteNumber("valueTwo", argument.ValueTwo);
                    json.WriteString("op", CompareName(argument.Op));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteAction(Utf8JsonWriter json, string name, uint action, string errnoName)
    {
        switch (action & 0xffff0000)
        {
            case 0x00050000:
                json.WriteString(name, "SCMP_ACT_ERRNO");
                json.WriteNumber(errnoName, action & 0xffff);
                break;
            case SeccompFilter.ActAllow: json.WriteString(name, "SCMP_ACT_ALLOW"); break;
            case SeccompFilter.ActKillProcess: json.WriteString(name, "SCMP_ACT_KILL_PROCESS"); break;
            case SeccompFilter.ActKillThread: json.WriteString(name, "SCMP_ACT_KILL_THREAD"); break;
            case SeccompFilter.ActTrap: json.WriteString(name, "SCMP_ACT_TRAP"); break;
            case SeccompFilter.ActLog: json.WriteString(name, "SCMP_ACT_LOG"); break;
            default: throw new ArgumentOutOfRangeException(nameof(action), $"no JSON name for seccomp action 0x{action:x8}");
        }
    }

    private static string ArchitectureName(uint arch) => arch switch
    {
        SeccompFilter.ArchX86_64 => "SCMP_ARCH_X86_64",
        SeccompFilter.ArchX86 => "SCMP_ARCH_X86",
        SeccompFilter.ArchX32 => "SCMP_ARCH_X32",
        _ => throw new ArgumentOutOfRangeException(nameof(arch), $"no JSON name for architecture 0x{arch:x8}"),
    };

    private static string CompareName(SeccompCompare op) => op switch
    {
        SeccompCompare.NotEqual => "SCMP_CMP_NE", SeccompCompare.Less => "SCMP_CMP_LT",
        SeccompCompare.LessOrEqual => "SCMP_CMP_LE", SeccompCompare.Equal => "SCMP_CMP_EQ",
        SeccompCompare.GreaterOrEqual => "SCMP_CMP_GE", SeccompCompare.Greater => "SCMP_CMP_GT",
        SeccompCompare.MaskedEqual => "SCMP_CMP_MASKED_EQ",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };
}
