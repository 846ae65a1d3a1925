using System.Net.Sockets;
using System.Runtime.InteropServices;
using RuntimeAgent.Run.Terminal;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers.Attach;

/// <summary>
/// <c>attach NAME</c>: connects to the container's monitor (<see cref="AttachServer"/>), puts the agent's terminal in
/// raw mode, copies the container's terminal output to stdout and the keyboard to the monitor, and follows the window
/// size. It first asks for the last <c>replayLines</c> lines the terminal printed, so the screen shows where the
/// container is. Ends when the container's run ends (the monitor closes the connection) or when the detach keys are typed.
/// </summary>
internal sealed unsafe class AttachClient(string socketPath, DetachKeys detachKeys, int replayLines)
{
    private int _sentSize = -1; // rows << 16 | columns, guarded by the socket's lock
    /// <summary>True when the user detached; false when the container's run ended.</summary>
    public bool Run()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            throw new ContainerStateException($"cannot attach: the container's monitor does not answer ({e.Message})");
        }
        using var raw = RawTerminal.Enter();
        AttachFrames.SendReplay(socket, replayLines); // the first frame: the monitor starts this client after the replay
        FollowWindowSize(socket);
        using var winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            FollowWindowSize(socket);
        });
        var detached = false;
        new Thread(() =>
        {
            if (CopyKeyboard(socket)) detached = true;
            try
            {
                socket.Shutdown(SocketShutdown.Both); // ends the output loop below
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }) { IsBackground = true, Name = "attach-input" }.Start();
        CopyOutput(socket);
        return detached;
    }

    /// <summary>Keyboard → monitor until the detach keys (true) or the end of stdin or of the connection (false).</summary>
    private bool CopyKeyboard(Socket socket)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                nint read;
                fixed (byte* p = buffer) read = Read(0, p, (nuint)buffer.Length);
                if (read < 0 && LastError == EIntr) continue;
                if (read <= 0) return false; // stdin ended: keep showing output until the run ends
                var (forward, detach) = detachKeys.Feed(buffer.AsSpan(0, (int)read));
                // Keys typed after a resize must reach the container after its new size: the SIGWINCH handler runs on
                // another thread and may come later (under load a shell's `stty size` typed right after a resize saw the old one).
                FollowWindowSize(socket);
                if (forward.Length > 0) AttachFrames.Send(socket, AttachFrames.Input, forward);
                if (detach) return true;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static void CopyOutput(Socket socket)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = socket.Receive(buffer)) > 0)
                fixed (byte* p = buffer)
                    for (nint done = 0; done < read;)
                    {
                        var written = Write(1, p + done, (nuint)(read - done));
                        if (written < 0 && LastError == EIntr) continue;
                        if (written <= 0) return;
                        done += written;
                    }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The attaching terminal's height (a screenful of recent output), or 24 off a terminal.</summary>
    public static int ScreenRows()
    {
        var size = stackalloc ushort[4];
        return Ioctl(1, TiocGwinsz, size) == 0 && size[0] > 0 ? size[0] : 24;
    }

    /// <summary>Sends the attaching terminal's size unless it was the last one sent.</summary>
    private void FollowWindowSize(Socket socket)
    {
        var size = stackalloc ushort[4];
        if (Ioctl(0, TiocGwinsz, size) != 0) return; // not on a terminal: the container's size stays as it is
        var packed = size[0] << 16 | size[1];
        try
        {
            lock (socket) // AttachFrames.Send's lock: the check and the frame are one step for both threads
            {
                if (packed == _sentSize) return;
                _sentSize = packed;
                AttachFrames.SendWindowSize(socket, size[0], size[1]);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
