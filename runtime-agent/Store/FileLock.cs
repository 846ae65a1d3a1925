using RuntimeAgent.Native;

namespace RuntimeAgent.Store;

/// <summary>
/// An flock(2) on a lock file: it works across processes and between two handles of one process,
/// and the kernel drops it when the process dies, so a crashed pull never wedges the store.
/// The file is opened with open(2), not FileStream: .NET takes its own flock on FileStreams to emulate
/// FileShare, which would collide with ours.
/// </summary>
public sealed class FileLock : IDisposable
{
    private const int EIntr = 4;
    private int fd;

    private FileLock(int fd) => this.fd = fd;

    /// <summary>Takes the lock, waiting (on a dedicated thread, not the caller's) while another holder has it.</summary>
    public static async Task<FileLock> AcquireAsync(string path, bool exclusive, CancellationToken ct, Action? onWait = null)
    {
        var fd = Open(path);
        try
        {
            var mode = exclusive ? Libc.LockExclusive : Libc.LockShared;
            if (Libc.Flock(fd, mode | Libc.LockNonBlocking) == 0) return new FileLock(fd);
            if (Libc.LastError != Libc.EAgain) throw new IOException($"flock {path}: {Libc.ErrorText(Libc.LastError)}");
            onWait?.Invoke();
            await Task.Factory.StartNew(() =>
            {
                while (Libc.Flock(fd, mode) != 0)
                {
                    if (Libc.LastError != EIntr) throw new IOException($"flock {path}: {Libc.ErrorText(Libc.LastError)}");
                    ct.ThrowIfCancellationRequested();
                }
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return new FileLock(fd);
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    /// <summary>Takes the lock if nobody holds it; null when another holder has it.</summary>
    public static FileLock? TryAcquire(string path, bool exclusive)
    {
        var fd = Open(path);
        if (Libc.Flock(fd, (exclusive ? Libc.LockExclusive : Libc.LockShared) | Libc.LockNonBlocking) == 0) return new FileLock(fd);
        var error = Libc.LastError;
        Libc.Close(fd);
        return error == Libc.EAgain ? null : throw new IOException($"flock {path}: {Libc.ErrorText(error)}");
    }

    private static int Open(string path)
    {
        const int readWriteCreate = 0x2 /* O_RDWR */ | Libc.OCreat | Libc.OCloExec;
        var fd = Libc.OpenAt(Libc.AtFdCwd, path, readWriteCreate, 0b110_000_000);
        if (fd < 0) throw new IOException($"open lock file {path}: {Libc.ErrorText(Libc.LastError)}");
        return fd;
    }

    public void Dispose()
    {
        var open = Interlocked.Exchange(ref fd, -1);
        if (open >= 0) Libc.Close(open);
    }
}
