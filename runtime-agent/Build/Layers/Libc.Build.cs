using System.Runtime.InteropServices;
using System.Text;

namespace RuntimeAgent.Native;

/// <summary>What the builder reads from a directory tree that .NET does not expose: full lstat and xattrs.</summary>
internal static unsafe partial class Libc
{
    /// <summary>The fields of x86_64 struct stat the layer writer and the file digest cache need (same 144-byte layout as <see cref="Stat"/>).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 144)]
    public struct FileStatus
    {
        [FieldOffset(0)] public ulong Device;
        [FieldOffset(8)] public ulong Inode;
        [FieldOffset(16)] public ulong LinkCount;
        [FieldOffset(24)] public uint Mode;
        [FieldOffset(28)] public uint Uid;
        [FieldOffset(32)] public uint Gid;
        [FieldOffset(40)] public ulong RawDevice;
        [FieldOffset(48)] public long Size;
        [FieldOffset(88)] public long MtimeSeconds;
        [FieldOffset(96)] public long MtimeNanoseconds;
        [FieldOffset(104)] public long CtimeSeconds;
        [FieldOffset(112)] public long CtimeNanoseconds;

        public readonly uint Type => Mode & SIfMt;
        public readonly int DeviceMajor => (int)(((RawDevice >> 32) & 0xfffff000UL) | ((RawDevice >> 8) & 0xfffUL));
        public readonly int DeviceMinor => (int)(((RawDevice >> 12) & 0xffffff00UL) | (RawDevice & 0xffUL));
    }

    public const uint SIfReg = 0x8000;
    public const int ENoData = 61;

    [LibraryImport(Lib, EntryPoint = "fstatat", SetLastError = true)]
    public static partial int FstatAtFull(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus stat, int flags);

    [LibraryImport(Lib, EntryPoint = "llistxattr", SetLastError = true)]
    private static partial nint LListXattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* list, nuint size);

    [LibraryImport(Lib, EntryPoint = "lgetxattr", SetLastError = true)]
    private static partial nint LGetXattr([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string name,
                                          byte* value, nuint size);

    /// <summary>lstat(2): the entry itself, never what a symlink points to.</summary>
    public static FileStatus LStat(string path) =>
        FstatAtFull(AtFdCwd, path, out var status, AtSymlinkNoFollow) == 0
            ? status
            : throw new IOException($"lstat {path}: {ErrorText(LastError)}");

    /// <summary>The names of a path's extended attributes (not following symlinks).</summary>
    public static IReadOnlyList<string> ListXattrs(string path)
    {
        var size = LListXattr(path, null, 0);
        if (size <= 0) return [];
        var buffer = new byte[size];
        fixed (byte* p = buffer) size = LListXattr(path, p, (nuint)buffer.Length);
        if (size < 0) throw new IOException($"llistxattr {path}: {ErrorText(LastError)}");
        return Encoding.UTF8.GetString(buffer, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>One extended attribute's value, or null when the path does not carry it.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        var size = LGetXattr(path, name, null, 0);
        if (size < 0) return LastError == ENoData ? null : throw new IOException($"lgetxattr {path} {name}: {ErrorText(LastError)}");
        var buffer = new byte[size];
        fixed (byte* p = buffer) size = LGetXattr(path, name, p, (nuint)buffer.Length);
        return size < 0 ? null : buffer[..(int)size];
    }
}
