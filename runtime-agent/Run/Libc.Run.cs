using System.Runtime.InteropServices;
using RuntimeAgent.Run;

namespace RuntimeAgent.Native;

/// <summary>The libc and raw system calls the container runtime (Run/) needs, beside the image side's in Native/Libc.cs.</summary>
internal static unsafe partial class Libc
{
    // mount(2) flags
    public const ulong MsRdonly = 1, MsNosuid = 2, MsNodev = 4, MsNoexec = 8, MsRemount = 32, MsBind = 4096,
        MsRec = 16384, MsPrivate = 1 << 18, MsStrictatime = 1 << 24;
    public const int MntDetach = 2;

    // syscall numbers (x86_64): glibc 2.36 has no wrapper for pivot_root.
    private const long SysRtSigaction = 13, SysRtSigprocmask = 14, SysPivotRoot = 155;

    public const ulong ResolveInRoot = 0x10;

    public const int EIntr = 4, EChild = 10;
    public const int SigKill = 9, SigStop = 19;
    public const int PosixSpawnSetpgroup = 0x02, PosixSpawnSetsigdef = 0x04, PosixSpawnSetsigmask = 0x08;

    [LibraryImport(Lib, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport(Lib, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport(Lib, EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chdir(string path);

    [LibraryImport(Lib, EntryPoint = "sethostname", SetLastError = true)]
    public static partial int Sethostname(byte* name, nuint length);

    [LibraryImport(Lib, EntryPoint = "execve", SetLastError = true)]
    public static partial int Execve(byte* path, byte** argv, byte** envp);

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport(Lib, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int Waitpid(int pid, int* status, int options);

    [LibraryImport(Lib, EntryPoint = "isatty")]
    public static partial int Isatty(int fd);

    [LibraryImport(Lib, EntryPoint = "tcgetpgrp")]
    public static partial int Tcgetpgrp(int fd);

    [LibraryImport(Lib, EntryPoint = "getpgrp")]
    public static partial int Getpgrp();

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, void* argument);

    [LibraryImport(Lib, EntryPoint = "posix_spawn")]
    public static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_init")]
    public static partial int PosixSpawnattrInit(void* attr);

    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_destroy")]
    public static partial int PosixSpawnattrDestroy(void* attr);

    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_setflags")]
    public static partial int PosixSpawnattrSetflags(void* attr, short flags);

    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int PosixSpawnattrSetsigdefault(void* attr, void* sigset);

    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int PosixSpawnattrSetsigmask(void* attr, void* sigset);

    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_setpgroup")]
    public static partial int PosixSpawnattrSetpgroup(void* attr, int pgroup);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, nint a1, nint a2, nint a3, nint a4, nint a5 = 0);

    public static int PivotRoot(string newRoot, string putOld)
    {
        using var n = new Utf8Z(newRoot);
        using var p = new Utf8Z(putOld);
        return (int)Syscall(SysPivotRoot, (nint)n.Pointer, (nint)p.Pointer, 0, 0);
    }

    /// <summary>Sets the disposition of signal number <paramref name="signal"/> to SIG_DFL, including glibc's internal 32 and 33.</summary>
    public static void ResetSignalToDefault(int signal)
    {
        var action = stackalloc ulong[4]; // kernel struct sigaction: handler, flags, restorer, mask (SIG_DFL == 0)
        action[0] = action[1] = action[2] = action[3] = 0;
        Syscall(SysRtSigaction, signal, (nint)action, 0, 8);
    }

    /// <summary>Unblocks every signal for the calling thread (the mask survives execve).</summary>
    public static void UnblockAllSignals()
    {
        ulong empty = 0;
        Syscall(SysRtSigprocmask, 2 /* SIG_SETMASK */, (nint)(&empty), 0, 8);
    }

    [LibraryImport(Lib, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);
}
