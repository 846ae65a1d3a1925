using System.Runtime.InteropServices;

namespace RuntimeAgent.Native;

/// <summary>
/// The libc calls the image side needs that .NET does not expose: directory-fd relative (*at) file creation,
/// ownership, device nodes, xattrs and flock. [LibraryImport] keeps them NativeAOT-friendly. Linux x86_64 constants.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtRemoveDir = 0x200;

    public const int OWrOnly = 0x1, OCreat = 0x40, OExcl = 0x80, ODirectory = 0x10000, ONoFollow = 0x20000;
    public const int OCloExec = 0x80000, OPath = 0x200000;

    public const uint SIfMt = 0xF000, SIfDir = 0x4000, SIfChr = 0x2000, SIfBlk = 0x6000, SIfIfo = 0x1000, SIfLnk = 0xA000;

    public const int EPerm = 1, ENoEnt = 2, EExist = 17, EXDev = 18, ENotDir = 20, EIsDir = 21, ENotEmpty = 39, ELoop = 40, EAgain = 11;

    public const int LockShared = 1, LockExclusive = 2, LockNonBlocking = 4, LockUnlock = 8;

    // openat2(2): resolve a path below a directory fd and refuse every symlink on the way.
    private const long SysOpenat2 = 437;
    public const ulong ResolveNoMagicLinks = 0x02, ResolveNoSymlinks = 0x04, ResolveBeneath = 0x08;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>struct stat on x86_64 (144 bytes); only st_dev, st_ino, st_mode, st_uid and st_rdev are read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 144)]
    public struct Stat
    {
        [FieldOffset(0)] public ulong Device;
        [FieldOffset(8)] public ulong Inode;
        [FieldOffset(24)] public uint Mode;
        [FieldOffset(28)] public uint Uid;
        [FieldOffset(40)] public ulong RawDevice;
    }

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, OpenHow* how, nuint size);

    public static int Openat2(int dirFd, string path, ulong flags, ulong resolve)
    {
        var how = new OpenHow { Flags = flags, Resolve = resolve };
        return (int)Syscall(SysOpenat2, dirFd, path, &how, (nuint)sizeof(OpenHow));
    }

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "mkdirat", SetLastError = true)]
    public static partial int MkdirAt(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "mknodat", SetLastError = true)]
    public static partial int MknodAt(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode, ulong device);

    [LibraryImport(Lib, EntryPoint = "symlinkat", SetLastError = true)]
    public static partial int SymlinkAt([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [LibraryImport(Lib, EntryPoint = "linkat", SetLastError = true)]
    public static partial int LinkAt(int oldDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, int newDirFd,
                                     [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, int flags);

    [LibraryImport(Lib, EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int UnlinkAt(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [LibraryImport(Lib, EntryPoint = "fchownat", SetLastError = true)]
    public static partial int FchownAt(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int uid, int gid, int flags);

    [LibraryImport(Lib, EntryPoint = "fchmodat", SetLastError = true)]
    public static partial int FchmodAt(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode, int flags);

    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true)]
    public static partial int UtimensAt(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, Timespec* times, int flags);

    [LibraryImport(Lib, EntryPoint = "fstatat", SetLastError = true)]
    public static partial int FstatAt(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out Stat stat, int flags);

    [LibraryImport(Lib, EntryPoint = "lsetxattr", SetLastError = true)]
    public static partial int LSetXattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string name,
                                        byte* value, nuint size, int flags);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>The device number glibc's makedev builds.</summary>
    public static ulong MakeDevice(int major, int minor)
    {
        ulong ma = (uint)major, mi = (uint)minor;
        return ((ma & 0xfffff000UL) << 32) | ((ma & 0xfffUL) << 8) | ((mi & 0xffffff00UL) << 12) | (mi & 0xffUL);
    }

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
