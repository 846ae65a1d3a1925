using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// Holds the container's first process between its creation and its execve. posix_spawn can run only a few
/// file actions in the child before exec; one of them opens this FIFO in the container's private /dev for
/// reading, which blocks until <see cref="Open"/> opens the other end. Until then the process exists (so its
/// PID namespace does, and /proc can be mounted for it) but runs nothing of the image.
/// </summary>
internal sealed class StartGate : IDisposable
{
    /// <summary>Where the child finds the gate once the container's root is its root.</summary>
    public const string PathInContainer = "/dev/" + Name;

    private const string Name = ".runtime-agent-start";
    private const uint Fifo = 0x1000, ReadWriteAll = 0x1b6 /* 0666: the command may already run as its user */;

    private readonly int _devFd;
    private int _writer = -1;

    public StartGate(ContainerRoot root)
    {
        _devFd = root.OpenDirectory("/dev");
        ContainerSetupException.Check(MknodAt(_devFd, Name, Fifo | ReadWriteAll, 0), $"mkfifo {PathInContainer}");
    }

    /// <summary>
    /// Lets the child go on to execve. The writer stays open until <see cref="Dispose"/>: the child may not
    /// have reached its open yet, and a FIFO with a writer does not block its readers.
    /// </summary>
    public void Open()
    {
        // O_RDWR never blocks on a FIFO, and counts as the writer the child's open(O_RDONLY) waits for.
        _writer = ContainerSetupException.Check(OpenAt(_devFd, Name, ORdWr | OCloExec | ONonBlock, 0), $"open {PathInContainer}");
    }

    /// <summary>Removes the FIFO from the container's /dev; call once the child has exec'd (or failed to).</summary>
    public void Dispose()
    {
        UnlinkAt(_devFd, Name, 0);
        if (_writer >= 0) Close(_writer);
        Close(_devFd);
    }
}
