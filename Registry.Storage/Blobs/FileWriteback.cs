using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Registry.Storage.Blobs;

/// <summary>
/// Starts the kernel writing a range of a file to disk without waiting for it (Linux
/// <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>), so that the fsync at publish finds most of a large
/// upload already written instead of flushing all of it while the client waits. A hint only: where the
/// call is unavailable nothing happens, and durability still comes from the fsync.
/// </summary>
internal static partial class FileWriteback
{
    private const uint SyncFileRangeWrite = 2;
    private static bool unavailable = !OperatingSystem.IsLinux();

    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (unavailable) return;
        try
        {
            SyncFileRange(file, offset, length, SyncFileRangeWrite);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            unavailable = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long nbytes, uint flags);
}
