using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.Terminal;

/// <summary>
/// The pseudo-terminal of a <c>run -t</c> container, allocated from the container's own devpts instance (its
/// /dev/pts/ptmx), as runc does: inside, the terminal is /dev/pts/0 of the container, not a host pty. The master
/// stays with the agent (<see cref="TerminalRelay"/>); the command opens the slave by path as its stdin, stdout and
/// stderr after posix_spawn's setsid, which makes it the session's controlling terminal.
/// </summary>
internal sealed unsafe class ContainerTerminal
{
    private ContainerTerminal(int master, int number) => (MasterFd, Number) = (master, number);

    /// <summary>The master side, for the agent's relay; owned by whoever takes it from the launch.</summary>
    public int MasterFd { get; }

    private int Number { get; }

    /// <summary>The slave's path inside the container.</summary>
    public string SlavePath => $"/dev/pts/{Number}";

    /// <summary>Opens a new pty in the container's devpts (call before pivot_root, with the container's root open).</summary>
    public static ContainerTerminal Open(ContainerRoot root)
    {
        var pts = root.DirectoryFd("/dev/pts");
        var master = ContainerSetupException.Check(OpenAt(pts, "ptmx", ORdWr | ONoCtty | OCloExec, 0), "open the container's /dev/pts/ptmx");
        try
        {
            var unlock = 0;
            ContainerSetupException.Check(Ioctl(master, TiocSptlck, &unlock), "unlock the pty");
            int number;
            ContainerSetupException.Check(Ioctl(master, TiocGptn, &number), "find the pty's number");
            CopyWindowSize(0, master);
            return new ContainerTerminal(master, number);
        }
        catch
        {
            Close(master);
            throw;
        }
    }

    /// <summary>Gives the slave to the container's user (after pivot_root, while this thread is still root).</summary>
    public void GiveTo(ContainerUser user) =>
        ContainerSetupException.Check(Chown(SlavePath, user.Uid, user.Gid), $"chown {SlavePath}");

    /// <summary>Copies a terminal's window size to another (the agent's terminal to the container's); no-op off a terminal.</summary>
    public static void CopyWindowSize(int from, int to)
    {
        var size = stackalloc ushort[4];
        if (Ioctl(from, TiocGwinsz, size) == 0) Ioctl(to, TiocSwinsz, size);
    }
}
