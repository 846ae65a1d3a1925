using System.Runtime.InteropServices;
using RuntimeAgent.Run;

namespace RuntimeAgent.Native;

/// <summary>
/// Namespaces, the new mount API (fsopen/fsmount/move_mount/open_tree/mount_setattr; glibc 2.36 wraps none
/// of them) and per-thread credentials. x86_64 syscall numbers.
/// </summary>
internal static unsafe partial class Libc
{
    public const int CloneNewNs = 0x00020000, CloneNewUts = 0x04000000, CloneNewIpc = 0x08000000,
        CloneNewNet = 0x40000000, CloneNewPid = 0x20000000, CloneFs = 0x00000200;

    private const long SysSetresuid = 117, SysSetresgid = 119, SysSetgroups = 116,
        SysOpenTree = 428, SysMoveMount = 429, SysFsopen = 430, SysFsconfig = 431, SysFsmount = 432, SysMountSetattr = 442;

    public const uint FsconfigSetString = 1, FsconfigSetFd = 5, FsconfigCmdCreate = 6;
    public const uint MountAttrRdonly = 1, MountAttrNosuid = 2, MountAttrNodev = 4, MountAttrNoexec = 8;
    public const uint MoveMountFEmptyPath = 0x4, MoveMountTEmptyPath = 0x40;
    public const uint OpenTreeClone = 1, AtRecursive = 0x8000, AtEmptyPath = 0x1000;
    public const int ORdOnly = 0, ORdWr = 2, ONonBlock = 0x800;
    public const int EInval = 22;

    [LibraryImport(Lib, EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "gettid")]
    public static partial int Gettid();

    public static int Fsopen(string fsName)
    {
        using var name = new Utf8Z(fsName);
        return (int)Syscall(SysFsopen, (nint)name.Pointer, 1 /* FSOPEN_CLOEXEC */, 0, 0, 0);
    }

    public static int Fsconfig(int fsFd, uint command, string? key, string? value, int aux)
    {
        using var k = key is null ? null : new Utf8Z(key);
        using var v = value is null ? null : new Utf8Z(value);
        return (int)Syscall(SysFsconfig, fsFd, (nint)command, k is null ? 0 : (nint)k.Pointer, v is null ? 0 : (nint)v.Pointer, aux);
    }

    public static int Fsmount(int fsFd, uint attributes) =>
        (int)Syscall(SysFsmount, fsFd, 1 /* FSMOUNT_CLOEXEC */, (nint)attributes, 0, 0);

    public static int MoveMount(int fromFd, string fromPath, int toFd, string toPath, uint flags)
    {
        using var from = new Utf8Z(fromPath);
        using var to = new Utf8Z(toPath);
        return (int)Syscall(SysMoveMount, fromFd, (nint)from.Pointer, toFd, (nint)to.Pointer, (nint)flags);
    }

    public static int OpenTree(int dirFd, string path, uint flags)
    {
        using var p = new Utf8Z(path);
        return (int)Syscall(SysOpenTree, dirFd, (nint)p.Pointer, (nint)flags, 0, 0);
    }

    /// <summary>mount_setattr(2) setting <paramref name="attributes"/> on a mount (and, recursively, its children).</summary>
    public static int MountSetAttributes(int fd, uint attributes)
    {
        var attr = stackalloc ulong[4]; // struct mount_attr: attr_set, attr_clr, propagation, userns_fd
        attr[0] = attributes; attr[1] = attr[2] = attr[3] = 0;
        using var empty = new Utf8Z("");
        return (int)Syscall(SysMountSetattr, fd, (nint)empty.Pointer, (nint)(AtEmptyPath | AtRecursive), (nint)attr, 32);
    }

    // The raw system calls change the calling thread only; glibc's wrappers would change every thread of
    // the agent (POSIX setxid semantics), dropping root from the host side too.
    public static int SetThreadGroups(uint* groups, int count) => (int)Syscall(SysSetgroups, count, (nint)groups, 0, 0, 0);

    public static int SetThreadGid(uint gid) => (int)Syscall(SysSetresgid, (nint)gid, (nint)gid, (nint)gid, 0, 0);

    public static int SetThreadUid(uint uid) => (int)Syscall(SysSetresuid, (nint)uid, (nint)uid, (nint)uid, 0, 0);

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int PosixSpawnFileActionsInit(void* actions);

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int PosixSpawnFileActionsDestroy(void* actions);

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_addopen")]
    public static partial int PosixSpawnFileActionsAddopen(void* actions, int fd, byte* path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_addclose")]
    public static partial int PosixSpawnFileActionsAddclose(void* actions, int fd);
}
