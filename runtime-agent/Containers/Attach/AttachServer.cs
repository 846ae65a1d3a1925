using System.Buffers.Binary;
using System.Net.Sockets;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers.Attach;

/// <summary>
/// The monitor's side of <c>attach</c> for a <c>run -dt</c> container: it holds the pty master, listens on
/// containers/ID/attach.sock (the directory is root-only), copies the terminal's output to every attached client
/// (besides the log) and their keyboard bytes (with <c>-i</c>) and window sizes to the terminal. Clients come and
/// go (detach keys close their connection); disposing it, when the container exits, ends every connection. A client
/// starts live after the recent lines it asks for (<see cref="RecentOutput"/>); what this run has not printed yet of
/// them comes from the log, written by earlier runs (a restart, or <c>start</c> with a new monitor).
/// </summary>
internal sealed unsafe class AttachServer : IDisposable
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(2);
    private readonly Socket _listener;
    private readonly string _path;
    private readonly int _master;
    private readonly bool _input;
    private readonly List<Socket> _clients = []; // also guards _recent
    private readonly RecentOutput _recent = new();
    private readonly string _logPath;
    private readonly DateTimeOffset _runStarted = DateTimeOffset.UtcNow; // before this run's first output is read

    public AttachServer(string path, int master, bool input, string logPath)
    {
        (_path, _master, _input, _logPath) = (path, master, input, logPath);
        File.Delete(path); // left by a monitor that was killed
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(8);
        new Thread(Accept) { IsBackground = true, Name = "attach-accept" }.Start();
    }

    /// <summary>Copies a piece of the terminal's output to the attached clients; one that cannot keep up is dropped.</summary>
    public void Broadcast(ReadOnlySpan<byte> output)
    {
        lock (_clients)
        {
            _recent.Append(output);
            for (var i = _clients.Count - 1; i >= 0; i--)
                try
                {
                    _clients[i].Send(output);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    _clients[i].Dispose();
                    _clients.RemoveAt(i);
                }
        }
    }

    private void Accept()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            client.SendTimeout = (int)SendTimeout.TotalMilliseconds;
            new Thread(() => Serve(client)) { IsBackground = true, Name = "attach-client" }.Start();
        }
    }

    private void Serve(Socket client)
    {
        try
        {
            var first = AttachFrames.Receive(client);
            var lines = first is (AttachFrames.Replay, { Length: 4 } count) ? BinaryPrimitives.ReadInt32LittleEndian(count) : 0;
            bool fewer;
            lock (_clients) fewer = _recent.HoldsFewerLinesThan(lines);
            // Earlier runs' lines are read outside the lock: they are all in the log already and no longer change.
            var earlier = fewer ? EarlierRuns(lines) : [];
            // Under the lock that Broadcast takes: the replay ends exactly where the live output begins.
            lock (_clients)
            {
                if (lines > 0) client.Send(_recent.Tail(lines, earlier));
                _clients.Add(client);
            }
            for (var frame = first; frame is { } received; frame = AttachFrames.Receive(client))
            {
                var (type, payload) = received;
                if (type == AttachFrames.WindowSize && payload.Length == 4) SetWindowSize(payload);
                else if (type == AttachFrames.Input && _input) WriteAll(payload);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        lock (_clients) _clients.Remove(client);
        client.Dispose();
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines the terminal printed before this run started, from the log (CRI entries,
    /// read by <c>logs</c>' reader): its text, with the newline a complete entry stood for.
    /// </summary>
    private byte[] EarlierRuns(int lines)
    {
        var output = new List<byte>();
        new ContainerLogReader(_logPath).ReadAsync(new LogQuery(lines, null, Follow: false, Timestamps: false) { Until = _runStarted },
            () => true, entry =>
            {
                output.AddRange(System.Text.Encoding.UTF8.GetBytes(entry.Text));
                if (!entry.Partial) output.Add((byte)'\n');
            }, CancellationToken.None).GetAwaiter().GetResult(); // no follow: it completes without waiting
        return [.. output];
    }

    private void SetWindowSize(byte[] payload)
    {
        var size = stackalloc ushort[4];
        size[0] = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        size[1] = BinaryPrimitives.ReadUInt16LittleEndian(payload.AsSpan(2));
        Ioctl(_master, TiocSwinsz, size); // the kernel sends SIGWINCH to the terminal's foreground group
    }

    private void WriteAll(byte[] data)
    {
        fixed (byte* p = data)
            for (nint done = 0; done < data.Length;)
            {
                var written = Write(_master, p + done, (nuint)(data.Length - done));
                if (written < 0 && LastError == EIntr) continue;
                if (written <= 0) return;
                done += written;
            }
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(_path);
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                try
                {
                    client.Shutdown(SocketShutdown.Both);
                }
                catch (SocketException)
                {
                }
                client.Dispose();
            }
            _clients.Clear();
        }
    }
}
