using System.Runtime.InteropServices;

namespace RuntimeAgent.Native;

/// <summary>
/// User namespaces: clone(2) into one, the calls its first process makes before execve, and idmapped mounts.
/// x86_64 syscall numbers.
/// </summary>
internal static unsafe partial class Libc
{
    public const int CloneNewUser = 0x10000000, SigChld = 17;
    public const uint MountAttrIdmap = 0x00100000, OpenTreeCloexec = 0x80000;
    public const long SysRead = 0, SysWrite = 1, SysClose = 3, SysRtSigprocmaskCall = 14, SysClone = 56, SysExecve = 59,
        SysSetpgid = 109, SysSetgroupsCall = 116, SysSetresuidCall = 117, SysSetresgidCall = 119, SysUnshare = 272, SysExitGroup = 231,
        SysRtSigactionCall = 13, SysDup2Call = 33, SysSetsidCall = 112, SysPrctlCall = 157, SysOpenatCall = 257, SysSetnsCall = 308, SysSeccompCall = 317, SysFcntlCall = 72;
    private const long SysMountSetattrCall = 442;

    /// <summary>
    /// A system call with no GC transition: the only kind of call the cloned child of a multi-threaded .NET process
    /// may make (no runtime code runs, so no lock or GC state copied from the other threads can block it).
    /// </summary>
    [LibraryImport(Lib, EntryPoint = "syscall"), SuppressGCTransition]
    public static partial long RawSyscall(long number, nint a1, nint a2, nint a3, nint a4, nint a5);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint Geteuid();

    [LibraryImport(Lib, EntryPoint = "getegid")]
    public static partial uint Getegid();

    [LibraryImport(Lib, EntryPoint = "__errno_location"), SuppressGCTransition]
    public static partial int* ErrnoLocation();

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallWithErrno(long number, nint a1, nint a2, nint a3, nint a4, nint a5);

    /// <summary>mount_setattr(2) giving the detached mount <paramref name="fd"/> the id mapping of <paramref name="userNamespaceFd"/>.</summary>
    public static int MountSetIdmap(int fd, int userNamespaceFd, bool recursive)
    {
        var attr = stackalloc ulong[4]; // struct mount_attr: attr_set, attr_clr, propagation, userns_fd
        attr[0] = MountAttrIdmap; attr[1] = attr[2] = 0; attr[3] = (ulong)userNamespaceFd;
        byte empty = 0;
        return (int)SyscallWithErrno(SysMountSetattrCall, fd, (nint)(&empty), (nint)(AtEmptyPath | (recursive ? AtRecursive : 0)), (nint)attr, 32);
    }
}
