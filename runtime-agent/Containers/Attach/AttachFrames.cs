using System.Buffers.Binary;
using System.Net.Sockets;

namespace RuntimeAgent.Containers.Attach;

/// <summary>
/// What an <c>attach</c> client sends its container's monitor over containers/ID/attach.sock: frames of a type byte,
/// a 4-byte little-endian length and the payload — keyboard bytes, a window size (rows, columns as two
/// little-endian ushorts), or, as the first frame, how many recent lines to replay (a little-endian int). The monitor
/// sends back the terminal's raw output, unframed: the replayed lines first, then what it prints from then on.
/// </summary>
internal static class AttachFrames
{
    public const byte Input = 0, WindowSize = 1, Replay = 2;
    public const string SocketName = "attach.sock";
    private const int HeaderBytes = 5, MaxPayload = 64 * 1024;

    public static void Send(Socket socket, byte type, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        header[0] = type;
        BinaryPrimitives.WriteInt32LittleEndian(header[1..], payload.Length);
        lock (socket) // the input thread and the SIGWINCH handler share the socket
        {
            socket.Send(header);
            socket.Send(payload);
        }
    }

    public static void SendWindowSize(Socket socket, ushort rows, ushort columns)
    {
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(size, rows);
        BinaryPrimitives.WriteUInt16LittleEndian(size[2..], columns);
        Send(socket, WindowSize, size);
    }

    public static void SendReplay(Socket socket, int lines)
    {
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(count, lines);
        Send(socket, Replay, count);
    }

    /// <summary>Reads one frame; null at the end of the stream or on a malformed frame.</summary>
    public static (byte Type, byte[] Payload)? Receive(Socket socket)
    {
        var header = new byte[HeaderBytes];
        if (!ReceiveExactly(socket, header)) return null;
        var length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(1));
        if (length is < 0 or > MaxPayload) return null;
        var payload = new byte[length];
        return ReceiveExactly(socket, payload) ? (header[0], payload) : null;
    }

    private static bool ReceiveExactly(Socket socket, byte[] buffer)
    {
        for (var done = 0; done < buffer.Length;)
        {
            var read = socket.Receive(buffer, done, buffer.Length - done, SocketFlags.None);
            if (read <= 0) return false;
            done += read;
        }
        return true;
    }
}
