using System.Runtime.InteropServices;

namespace RuntimeAgent.Native;

/// <summary>
/// Capabilities, prctl and seccomp(2) as raw system calls on the calling thread (x86_64 numbers). Each acts on
/// the calling task only, which is what lets the setup thread restrict itself and pass that on to the child it
/// spawns without touching the rest of the agent.
/// </summary>
internal static unsafe partial class Libc
{
    private const long SysCapget = 125, SysCapset = 126, SysPrctl = 157, SysSeccomp = 317;

    public const int EBusy = 16;
    public const int PrCapbsetRead = 23, PrCapbsetDrop = 24, PrSetNoNewPrivs = 38, PrCapAmbient = 47, PrCapAmbientClearAll = 4;
    private const uint CapabilityVersion3 = 0x20080522;
    private const uint SeccompSetModeFilter = 1;

    public static int Prctl(int option, ulong a2, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0) =>
        (int)Syscall(SysPrctl, option, (nint)a2, (nint)a3, (nint)a4, (nint)a5);

    /// <summary>capset(2) for the calling thread: 64-bit effective, permitted and inheritable masks (two 32-bit halves each).</summary>
    public static int CapsetThisThread(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = stackalloc uint[2]; // version, pid (0: the calling thread)
        header[0] = CapabilityVersion3; header[1] = 0;
        var data = stackalloc uint[6]; // two of { effective, permitted, inheritable }
        data[0] = (uint)effective; data[1] = (uint)permitted; data[2] = (uint)inheritable;
        data[3] = (uint)(effective >> 32); data[4] = (uint)(permitted >> 32); data[5] = (uint)(inheritable >> 32);
        return (int)Syscall(SysCapset, (nint)header, (nint)data, 0, 0, 0);
    }

    /// <summary>capget(2) for the calling thread: (effective, permitted, inheritable).</summary>
    public static (ulong Effective, ulong Permitted, ulong Inheritable) CapgetThisThread()
    {
        var header = stackalloc uint[2];
        header[0] = CapabilityVersion3; header[1] = 0;
        var data = stackalloc uint[6];
        Syscall(SysCapget, (nint)header, (nint)data, 0, 0, 0);
        return (data[0] | (ulong)data[3] << 32, data[1] | (ulong)data[4] << 32, data[2] | (ulong)data[5] << 32);
    }

    /// <summary>seccomp(SECCOMP_SET_MODE_FILTER) with a classic BPF program (8-byte sock_filter instructions), no TSYNC.</summary>
    public static int SeccompLoadFilter(ReadOnlySpan<byte> program)
    {
        fixed (byte* instructions = program)
        {
            var fprog = stackalloc nint[2]; // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            fprog[0] = program.Length / 8;
            fprog[1] = (nint)instructions;
            return (int)Syscall(SysSeccomp, (nint)SeccompSetModeFilter, 0, (nint)fprog, 0, 0);
        }
    }
}
