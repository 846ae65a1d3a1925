using System.IO.Hashing;
using System.Text;

namespace RuntimeAgent.Run.Isolation.Seccomp;

/// <summary>One comparison of a system call argument (libseccomp's <c>struct scmp_arg_cmp</c>).</summary>
public sealed record SeccompArgument(uint Index, SeccompCompare Op, ulong Value, ulong ValueTwo = 0);

/// <summary>libseccomp's <c>enum scmp_compare</c>.</summary>
public enum SeccompCompare { NotEqual = 1, Less = 2, LessOrEqual = 3, Equal = 4, GreaterOrEqual = 5, Greater = 6, MaskedEqual = 7 }

/// <summary>What happens to the named system calls when the arguments match (every comparison must hold).</summary>
public sealed record SeccompRule(IReadOnlyList<string> Names, uint Action, IReadOnlyList<SeccompArgument> Arguments);

/// <summary>
/// A seccomp filter before compilation: a default action, the architectures it accepts (any other one is
/// killed, so a 32-bit or x32 call cannot slip past a rule written for x86_64 numbers) and its rules. Both our
/// default profile and a user's Docker/OCI JSON profile end up as one of these; libseccomp compiles it.
/// </summary>
public sealed record SeccompFilter(uint DefaultAction, IReadOnlyList<uint> Architectures, IReadOnlyList<SeccompRule> Rules)
{
    // libseccomp's action values (seccomp.h).
    public const uint ActKillProcess = 0x80000000, ActKillThread = 0, ActTrap = 0x00030000, ActLog = 0x7ffc0000,
        ActAllow = 0x7fff0000;
    public static uint ActErrno(int errno) => 0x00050000 | ((uint)errno & 0xffff);
    public static uint ActTrace(int message) => 0x7ff00000 | ((uint)message & 0xffff);

    // AUDIT_ARCH_* values, libseccomp's SCMP_ARCH_* tokens.
    public const uint ArchX86_64 = 0xC000003E, ArchX86 = 0x40000003, ArchX32 = 0x4000003E;

    /// <summary>A stable key for the compiled program's cache (docs/decisions/005-seccomp-filter.md).</summary>
    public string Key()
    {
        // Index loops over the lists: every `run` computes this, and enumerating through the interfaces costs a NativeAOT
        // process a run-time dispatch resolution at each call site's first use. The text is the same as AppendJoin's.
        var text = new StringBuilder().Append("v1 ").Append(DefaultAction).Append(' ');
        for (var i = 0; i < Architectures.Count; i++) text.Append(i > 0 ? "," : "").Append(Architectures[i]);
        text.Append('\n');
        for (var r = 0; r < Rules.Count; r++)
        {
            var rule = Rules[r];
            for (var i = 0; i < rule.Names.Count; i++) text.Append(i > 0 ? "," : "").Append(rule.Names[i]);
            text.Append(' ').Append(rule.Action);
            for (var i = 0; i < rule.Arguments.Count; i++)
            {
                var a = rule.Arguments[i];
                text.Append(' ').Append(a.Index).Append(':').Append((int)a.Op).Append(':').Append(a.Value).Append(':').Append(a.ValueTwo);
            }
            text.Append('\n');
        }
        return Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
