using System.Net;
using System.Net.Sockets;

namespace Registry.Tests.Infrastructure;

/// <summary>Ports for servers a test starts outside Kestrel's port-0 binding (PostgreSQL, registry processes).</summary>
public static class LoopbackPorts
{
    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A loopback port held bound but not listening until disposed: a connection to it is refused (a target that is
    /// down), and the kernel hands it to no other socket in the meantime (a port that is merely "free a moment ago"
    /// can be given to another test's server, which then answers in the down target's place).
    /// </summary>
    public static ReservedPort Reserve()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new ReservedPort(socket);
    }
}

/// <summary>See <see cref="LoopbackPorts.Reserve"/>; dispose it just before starting the server that takes the port.</summary>
public sealed class ReservedPort(Socket socket) : IDisposable
{
    public int Port { get; } = ((IPEndPoint)socket.LocalEndPoint!).Port;

    public void Dispose() => socket.Dispose();
}
