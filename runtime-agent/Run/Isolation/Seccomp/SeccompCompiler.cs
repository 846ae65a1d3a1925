using System.Runtime.InteropServices;

namespace RuntimeAgent.Run.Isolation.Seccomp;

/// <summary>
/// Compiles a <see cref="SeccompFilter"/> to a classic BPF program with libseccomp (Debian's libseccomp2): it knows
/// every architecture's system call numbers and writes the architecture checks. Loaded only when a program is not
/// in the cache yet (<see cref="SeccompProgramCache"/>), so a cached `run` never maps the library.
/// </summary>
internal static unsafe partial class SeccompCompiler
{
    private const string Lib = "libseccomp.so.2";
    private const int NrScmpError = -1;

    [StructLayout(LayoutKind.Sequential)]
    private struct ArgCompare
    {
        public uint Index;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [LibraryImport(Lib, EntryPoint = "seccomp_init")]
    private static partial nint Init(uint defaultAction);

    [LibraryImport(Lib, EntryPoint = "seccomp_release")]
    private static partial void Release(nint context);

    [LibraryImport(Lib, EntryPoint = "seccomp_arch_add")]
    private static partial int ArchAdd(nint context, uint arch);

    [LibraryImport(Lib, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ResolveName(string name);

    [LibraryImport(Lib, EntryPoint = "seccomp_rule_add_array")]
    private static partial int RuleAddArray(nint context, uint action, int syscall, uint count, ArgCompare* compares);

    [LibraryImport(Lib, EntryPoint = "seccomp_export_bpf")]
    private static partial int ExportBpf(nint context, int fd);

    /// <summary>Writes the compiled program to the open file <paramref name="fd"/>.</summary>
    public static void Compile(SeccompFilter filter, int fd)
    {
        nint context;
        try
        {
            context = Init(filter.DefaultAction);
        }
        catch (DllNotFoundException)
        {
            throw new ContainerSetupException("seccomp: libseccomp.so.2 is not installed (apt-get install libseccomp2), " +
                "or run with --security-opt seccomp=unconfined");
        }
        if (context == 0) throw new ContainerSetupException("seccomp: invalid default action in the profile");
        try
        {
            foreach (var arch in filter.Architectures)
            {
                var added = ArchAdd(context, arch);
                if (added < 0 && added != -17 /* EEXIST: the native one is always there */)
                    throw new ContainerSetupException($"seccomp: cannot add architecture 0x{arch:x}: {Native.Libc.ErrorText(-added)}");
            }
            foreach (var rule in filter.Rules) Add(context, rule, filter.DefaultAction);
            Check(ExportBpf(context, fd), "export the filter");
        }
        finally
        {
            Release(context);
        }
    }

    private static void Add(nint context, SeccompRule rule, uint defaultAction)
    {
        if (rule.Action == defaultAction) return; // libseccomp refuses a rule that changes nothing
        var compares = stackalloc ArgCompare[Math.Max(1, rule.Arguments.Count)];
        for (var i = 0; i < rule.Arguments.Count; i++)
        {
            var a = rule.Arguments[i];
            compares[i] = new ArgCompare { Index = a.Index, Op = (int)a.Op, DatumA = a.Value, DatumB = a.ValueTwo };
        }
        foreach (var name in rule.Names)
        {
            // Names this libseccomp does not know (newer calls, other architectures' calls) are skipped, as runc does.
            var number = ResolveName(name);
            if (number == NrScmpError) continue;
            var added = RuleAddArray(context, rule.Action, number, (uint)rule.Arguments.Count, compares);
            // A call that none of the filter's architectures has (a negative pseudo-number) is nothing to filter.
            if (added < 0 && number >= 0) Check(added, $"add the rule for {name}");
        }
    }

    private static void Check(int result, string what)
    {
        if (result < 0) throw new ContainerSetupException($"seccomp: cannot {what}: {Native.Libc.ErrorText(-result)}");
    }
}
