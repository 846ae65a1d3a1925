using System.Runtime.InteropServices;

namespace RuntimeAgent.Native;

/// <summary>The calls the snapshotters (Snapshots/) need beyond Native/ and Build/Layers/: reflink, readlink, statfs.</summary>
internal static unsafe partial class Libc
{
    /// <summary>ioctl FICLONE: the destination file shares the source's extents (copy-on-write).</summary>
    public const ulong Ficlone = 0x40049409;
    public const int EOpNotSupp = 95;
    public const long FuseSuperMagic = 0x65735546;

    [LibraryImport(Lib, EntryPoint = "readlink", SetLastError = true)]
    public static partial nint Readlink([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* buffer, nuint size);

    [LibraryImport(Lib, EntryPoint = "statfs", SetLastError = true)]
    public static partial int Statfs([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* buffer);
}
