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

    /// <summary>
    /// Opens a new pty in the container's devpts (call before pivot_root, with the container's root and /dev mounted)
    /// and binds its slave over /dev/console, as runc does: what a program writes to the console (an init system, a
    /// getty, a kernel-style logger) reaches the same terminal.
    /// </summary>
    public static ContainerTerminal Open(ContainerRoot root)
    {
        var terminal = Open(root.DirectoryFd("/dev/pts"));
        try
        {
            SystemMounts.Mount(root.Target(terminal.SlavePath), root.FileTarget("/dev/console"), null, MsBind, null);
            return terminal;
        }
        catch
        {
            Close(terminal.MasterFd);
            throw;
        }
    }

    /// <summary>Opens a new pty in the devpts at /dev/pts of this thread's root (exec, after its chroot into the container).</summary>
    public static ContainerTerminal OpenInCurrentRoot()
    {
        var pts = ContainerSetupException.Check(OpenAt(AtFdCwd, "/dev/pts", ORdOnly | ODirectory | OCloExec, 0), "open the container's /dev/pts");
        try
        {
            return Open(pts);
        }
        finally
        {
            Close(pts);
        }
    }

    private static ContainerTerminal Open(int pts)
    {
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
    public void GiveTo(ContainerUser user) => GiveTo(SlavePath, user);

    /// <summary>Gives a slave, by its path inside the container, to the container's user (init's side of <c>-t --init</c>).</summary>
    public static void GiveTo(string slavePath, ContainerUser user) =>
        ContainerSetupException.Check(Chown(slavePath, user.Uid, user.Gid), $"chown {slavePath}");

    /// <summary>Copies a terminal's window size to another (the agent's terminal to the container's); no-op off a terminal.</summary>
    public static void CopyWindowSize(int from, int to)
    {
        var size = stackalloc ushort[4];
        if (Ioctl(from, TiocGwinsz, size) == 0) Ioctl(to, TiocSwinsz, size);
    }
}
