using System.Runtime.InteropServices;

namespace RuntimeAgent.Native;

/// <summary>The libc and raw system calls the container lifecycle (Containers/) needs: pipes, descriptors, pidfds, setns.</summary>
internal static unsafe partial class Libc
{
    public const int PosixSpawnSetsid = 0x80;
    public const int PollIn = 1;
    public const int ESrch = 3;
    private const long SysPidfdOpen = 434, SysPidfdSendSignal = 424;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Lib, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Lib, EntryPoint = "dup2", SetLastError = true)]
    public static partial int Dup2(int oldFd, int newFd);

    [LibraryImport(Lib, EntryPoint = "dup3", SetLastError = true)]
    public static partial int Dup3(int oldFd, int newFd, int flags);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    public const int FSetFd = 2, FdCloExec = 1, FSetFl = 4, FDupFdCloExec = 1030;

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int Setns(int fd, int nsType);

    [LibraryImport(Lib, EntryPoint = "setsid", SetLastError = true)]
    public static partial int Setsid();

    [LibraryImport(Lib, EntryPoint = "fchdir", SetLastError = true)]
    public static partial int Fchdir(int fd);

    [LibraryImport(Lib, EntryPoint = "chroot", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chroot(string path);

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int PosixSpawnFileActionsAdddup2(void* actions, int fd, int newFd);

    /// <summary>A descriptor that becomes readable when process <paramref name="pid"/> exits (works for non-children).</summary>
    public static int PidfdOpen(int pid) => (int)Syscall(SysPidfdOpen, pid, 0, 0, 0);

    /// <summary>Signals the exact process a pidfd names: a reused pid can never be hit.</summary>
    public static int PidfdSendSignal(int pidfd, int signal) => (int)Syscall(SysPidfdSendSignal, pidfd, signal, 0, 0);
}
