using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>
/// The status pipe of a child made by a raw clone (<see cref="UserNamespaceChild"/>, <see cref="UserNamespaceExec"/>):
/// when a step before execve fails, the child writes the step and its errno and exits 125; when it reaches execve,
/// the close-on-exec write end closes and the parent reads end-of-file.
/// </summary>
internal static unsafe class ChildStatusPipe
{
    /// <summary>In the child (raw system calls only): reports the failed step and exits.</summary>
    public static void Fail(int statusWrite, int step)
    {
        var report = stackalloc int[2];
        report[0] = step;
        report[1] = *ErrnoLocation();
        RawSyscall(SysWrite, statusWrite, (nint)report, 8, 0, 0);
        RawSyscall(SysExitGroup, 125, 0, 0, 0, 0);
    }

    /// <summary>In the parent: the step that failed and its errno, or null when the child reached execve.</summary>
    public static (int Step, int Errno)? ReadFailure(int statusRead)
    {
        var report = stackalloc int[2];
        nint read;
        while ((read = Read(statusRead, (byte*)report, 8)) < 0 && LastError == EIntr) { }
        return read == 8 ? (report[0], report[1]) : null;
    }
}
