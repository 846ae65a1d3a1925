using System.Runtime.InteropServices;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.Terminal;

/// <summary>
/// The agent's side of <c>run -t</c>: copies the container's output from the pty master to stdout and, with
/// <c>-i</c>, stdin to the master; puts the agent's own terminal in raw mode meanwhile (so ^C, ^Z, ^D reach the
/// container's line discipline as bytes and act there), and follows the terminal's window size on SIGWINCH (the
/// kernel then signals the container's foreground process group itself). Disposing waits for the output to drain
/// (the master reads EIO once the container's last holder of the slave is gone) and restores the terminal.
/// </summary>
internal sealed unsafe class TerminalRelay : IDisposable
{
    private readonly int _master;
    private readonly RawTerminal _raw;
    private readonly Thread _output;
    private readonly PosixSignalRegistration _winch;

    public TerminalRelay(int master, bool input)
    {
        _master = master;
        _raw = RawTerminal.Enter();
        _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            ContainerTerminal.CopyWindowSize(0, master);
        });
        ContainerTerminal.CopyWindowSize(0, master); // it may have changed since the pty was made
        // Keys typed after a resize must find the container at its new size: the SIGWINCH handler runs on another thread and
        // may come after them (under load a shell's `stty size` typed right after a resize saw the old size), so the input
        // thread copies the size before it writes (no signal when it has not changed).
        if (input) new Thread(() => Copy(0, master, () => ContainerTerminal.CopyWindowSize(0, master))) { IsBackground = true, Name = "tty-input" }.Start(); // blocks in read(0) until we exit
        _output = new Thread(() => Copy(master, 1)) { IsBackground = true, Name = "tty-output" };
        _output.Start();
    }

    private static void Copy(int from, int to, Action? beforeWrite = null)
    {
        var buffer = stackalloc byte[32 * 1024];
        while (true)
        {
            var read = Read(from, buffer, 32 * 1024);
            if (read < 0 && LastError == EIntr) continue;
            if (read <= 0) return; // EOF, or EIO on the master once the slave is closed everywhere
            beforeWrite?.Invoke();
            for (nint done = 0; done < read;)
            {
                var written = Write(to, buffer + done, (nuint)(read - done));
                if (written < 0 && LastError == EIntr) continue;
                if (written <= 0) return;
                done += written;
            }
        }
    }

    public void Dispose()
    {
        _output.Join(TimeSpan.FromSeconds(5));
        _raw.Dispose();
        _winch.Dispose();
        Close(_master);
    }
}
