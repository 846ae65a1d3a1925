using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// Holds the container's first process between its creation and its execve. posix_spawn can run only a few
/// file actions in the child before exec; one of them opens this FIFO in the container's private /dev for
/// reading, which blocks until <see cref="Open"/> opens the other end. Until then the process exists (so its
/// PID namespace does, and /proc can be mounted for it) but runs nothing of the image.
/// <para>
/// A second FIFO tells the thread that acts on the child that it exists: the child opens it for writing (and closes it)
/// just before the gate, which wakes <see cref="WaitForArrival"/> — a blocking rendezvous where polling
/// /proc/…/children with a spinning thread competed with the spawn for the CPU.
/// </para>
/// </summary>
internal sealed class StartGate : IDisposable
{
    /// <summary>The FIFO the child opens for writing before the gate at <paramref name="gatePath"/>.</summary>
    public static string ArrivalPath(string gatePath) => gatePath + "-arrived";

    /// <summary>Where the container's first process finds its gate once the container's root is its root.</summary>
    public const string PathInContainer = "/dev/" + LaunchName;

    private const string LaunchName = ".runtime-agent-start";
    private const uint Fifo = 0x1000, ReadWriteAll = 0x1b6 /* 0666: the command may already run as its user */;

    private readonly int _devFd;
    private readonly string _name;
    private readonly int _arrival;
    private int _writer = -1;

    /// <param name="root">The container's root; the FIFO goes in its /dev.</param>
    /// <param name="name">The FIFO's name; an exec'd process, started while others may be, gets its own.</param>
    public StartGate(ContainerRoot root, string name = LaunchName)
    {
        _name = name;
        _devFd = root.OpenDirectory("/dev");
        ContainerSetupException.Check(MknodAt(_devFd, _name, Fifo | ReadWriteAll, 0), $"mkfifo {Path}");
        ContainerSetupException.Check(MknodAt(_devFd, ArrivalName, Fifo | ReadWriteAll, 0), $"mkfifo {ArrivalPath(Path)}");
        // The child opens it for writing as the container's user; an exec's thread has the agent's umask.
        ContainerSetupException.Check(FchmodAt(_devFd, ArrivalName, ReadWriteAll, 0), $"chmod {ArrivalPath(Path)}");
        // Non-blocking: there is no writer yet. The child's open for writing then never blocks, since a reader exists.
        _arrival = ContainerSetupException.Check(OpenAt(_devFd, ArrivalName, ORdOnly | ONonBlock | OCloExec, 0), $"open {ArrivalPath(Path)}");
    }

    private string ArrivalName => _name + "-arrived";

    /// <summary>
    /// Blocks until the child has opened and closed the arrival FIFO (it is then held at the gate), or until
    /// <see cref="WakeArrival"/>; false after <paramref name="timeout"/>.
    /// </summary>
    public unsafe bool WaitForArrival(TimeSpan timeout)
    {
        // A FIFO's read end polls as hung up once a writer has come and gone; with no writer yet, poll waits.
        var poll = new PollFd { Fd = _arrival, Events = PollIn };
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0) return false;
            var ready = Poll(&poll, 1, (int)left);
            if (ready > 0) return true;
            if (ready < 0 && LastError != EIntr) ContainerSetupException.Check(ready, "poll the start gate");
        }
    }

    /// <summary>Ends <see cref="WaitForArrival"/> without a child (posix_spawn returned, perhaps before creating one).</summary>
    public void WakeArrival()
    {
        var writer = OpenAt(_devFd, ArrivalName, OWrOnly | ONonBlock | OCloExec, 0);
        if (writer >= 0) Close(writer);
    }

    /// <summary>This gate's path inside the container.</summary>
    public string Path => "/dev/" + _name;

    /// <summary>
    /// Lets the child go on to execve. The writer stays open until <see cref="Dispose"/>: the child may not
    /// have reached its open yet, and a FIFO with a writer does not block its readers.
    /// </summary>
    public void Open()
    {
        // O_RDWR never blocks on a FIFO, and counts as the writer the child's open(O_RDONLY) waits for.
        _writer = ContainerSetupException.Check(OpenAt(_devFd, _name, ORdWr | OCloExec | ONonBlock, 0), $"open {Path}");
    }

    /// <summary>
    /// Removes the FIFO from the container's /dev; call once the child has exec'd (or failed to). So the command's first
    /// instructions may still see both FIFOs (a fast <c>ls /dev</c> did): the child opens the gate by path, and nothing
    /// tells this side that its lookup is done before posix_spawn returns (docs/decisions/002, "The gate's name").
    /// </summary>
    public void Dispose()
    {
        UnlinkAt(_devFd, _name, 0);
        UnlinkAt(_devFd, ArrivalName, 0);
        Close(_arrival);
        if (_writer >= 0) Close(_writer);
        Close(_devFd);
    }
}
