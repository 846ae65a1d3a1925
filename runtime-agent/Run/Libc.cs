using System.Runtime.InteropServices;

namespace RuntimeAgent.Run;

/// <summary>The libc and raw system calls the container runtime needs (LibraryImport keeps it NativeAOT-safe).</summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    // mount(2) flags
    public const ulong MsRdonly = 1, MsNosuid = 2, MsNodev = 4, MsNoexec = 8, MsRemount = 32, MsBind = 4096,
        MsRec = 16384, MsPrivate = 1 << 18, MsStrictatime = 1 << 24;
    public const int MntDetach = 2;

    // syscall numbers (x86_64): glibc 2.36 has no wrapper for pivot_root or openat2.
    private const long SysRtSigaction = 13, SysRtSigprocmask = 14, SysPivotRoot = 155, SysOpenat2 = 437;

    public const int OPath = 0x200000, ODirectory = 0x10000, OCloexec = 0x80000, ONofollow = 0x20000;
    public const ulong ResolveNoMagiclinks = 0x02, ResolveInRoot = 0x10;

    public const int Enoent = 2, Eintr = 4, Echild = 10, Eexist = 17, Enotdir = 20, Eacces = 13, Esrch = 3;
    public const int SigKill = 9, SigStop = 19;
    public const int PosixSpawnSetpgroup = 0x02, PosixSpawnSetsigdef = 0x04, PosixSpawnSetsigmask = 0x08;

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chdir(string path);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdir(string path, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdirat(int dirFd, string path, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(int dirFd, string path, int flags, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mknod(string path, uint mode, ulong dev);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int symlink(string target, string linkPath);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chmod(string path, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sethostname(byte* name, nuint length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int setgroups(nuint size, uint* groups);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int setgid(uint gid);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int setuid(uint uid);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int execve(byte* path, byte** argv, byte** envp);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Lib)]
    public static partial int isatty(int fd);

    [LibraryImport(Lib)]
    public static partial int tcgetpgrp(int fd);

    [LibraryImport(Lib)]
    public static partial int getpgrp();

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ioctl(int fd, ulong request, void* argument);

    [LibraryImport(Lib)]
    public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(Lib)]
    public static partial int posix_spawnattr_setpgroup(void* attr, int pgroup);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, nint a1, nint a2, nint a3, nint a4);

    public static int PivotRoot(string newRoot, string putOld)
    {
        using var n = new Utf8Z(newRoot);
        using var p = new Utf8Z(putOld);
        return (int)Syscall(SysPivotRoot, (nint)n.Pointer, (nint)p.Pointer, 0, 0);
    }

    /// <summary>openat2(2) with the given resolve flags: RESOLVE_IN_ROOT treats dirFd as "/" for every symlink and "..".</summary>
    public static int OpenAt2(int dirFd, string path, int flags, ulong resolve)
    {
        using var p = new Utf8Z(path);
        var how = stackalloc ulong[3] { (ulong)(uint)flags, 0, resolve };
        return (int)Syscall(SysOpenat2, dirFd, (nint)p.Pointer, (nint)how, 24);
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

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    public static int LastError => Marshal.GetLastPInvokeError();

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mknodat(int dirFd, string path, uint mode, ulong dev);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int symlinkat(string target, int dirFd, string linkPath);

    [LibraryImport(Lib)]
    public static partial uint umask(uint mask);

    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}
