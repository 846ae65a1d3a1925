using RuntimeAgent.Native;

namespace RuntimeAgent.Store;

/// <summary>
/// An flock(2) on a lock file: it works across processes and between two handles of one process,
/// and the kernel drops it when the process dies, so a crashed pull never wedges the store.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream file;

    private FileLock(FileStream file) => this.file = file;

    /// <summary>Takes the lock, waiting (without blocking the caller's thread) while another holder has it.</summary>
    public static async Task<FileLock> AcquireAsync(string path, bool exclusive, CancellationToken ct, Action? onWait = null)
    {
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
        try
        {
            var fd = (int)file.SafeFileHandle.DangerousGetHandle();
            var mode = exclusive ? Libc.LockExclusive : Libc.LockShared;
            if (Libc.Flock(fd, mode | Libc.LockNonBlocking) == 0) return new FileLock(file);
            if (Libc.LastError != Libc.EAgain) throw new IOException($"flock {path}: {Libc.ErrorText(Libc.LastError)}");
            onWait?.Invoke();
            await Task.Factory.StartNew(() =>
            {
                while (Libc.Flock(fd, mode) != 0)
                {
                    if (Libc.LastError != 4 /* EINTR */) throw new IOException($"flock {path}: {Libc.ErrorText(Libc.LastError)}");
                    ct.ThrowIfCancellationRequested();
                }
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return new FileLock(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Takes the lock only if nobody holds it; null otherwise.</summary>
    public static FileLock? TryAcquire(string path, bool exclusive)
    {
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
        var fd = (int)file.SafeFileHandle.DangerousGetHandle();
        if (Libc.Flock(fd, (exclusive ? Libc.LockExclusive : Libc.LockShared) | Libc.LockNonBlocking) == 0) return new FileLock(file);
        file.Dispose();
        return null;
    }

    public void Dispose() => file.Dispose();
}
