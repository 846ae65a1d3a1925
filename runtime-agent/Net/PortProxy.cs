using System.Net;
using System.Net.Sockets;
using RuntimeAgent.Containers;
using RuntimeAgent.Run;

namespace RuntimeAgent.Net;

/// <summary>
/// The user-space side of <c>-p</c>, run by the monitor: listens on the host's address and port, and for each TCP
/// connection (or UDP peer) opens a socket inside the container's network namespace (<see cref="NetworkNamespaceDialer"/>)
/// to 127.0.0.1:CONTAINER_PORT, then copies bytes both ways. Listeners are bound once, when the monitor starts
/// (a port already in use fails <c>run -d</c>), and outlive restarts; connections go to whichever run is current.
/// </summary>
internal sealed class PortProxy : IDisposable
{
    private const int BufferSize = 256 * 1024;
    private readonly NetworkNamespaceDialer dialer = new();
    private readonly List<Socket> listeners = [];
    private readonly CancellationTokenSource stopping = new();

    public PortProxy(IReadOnlyList<PortMapping> ports)
    {
        try
        {
            foreach (var port in ports) listeners.Add(Bind(port));
        }
        catch
        {
            Dispose();
            throw;
        }
        for (var i = 0; i < ports.Count; i++)
        {
            var (listener, port) = (listeners[i], ports[i]);
            _ = port.Protocol == "udp" ? new UdpForwarder(listener, port.ContainerPort, dialer, stopping.Token).RunAsync() : AcceptAsync(listener, port.ContainerPort);
        }
    }

    /// <summary>Points new connections at a (re)started container.</summary>
    public Task AttachAsync(int containerPid) => dialer.JoinAsync(containerPid);

    private static Socket Bind(PortMapping port)
    {
        var address = IPAddress.Parse(port.HostIp);
        var udp = port.Protocol == "udp";
        var socket = new Socket(address.AddressFamily, udp ? SocketType.Dgram : SocketType.Stream, udp ? ProtocolType.Udp : ProtocolType.Tcp);
        try
        {
            if (!udp) socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port.HostPort));
            if (!udp) socket.Listen(512);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ContainerSetupException($"cannot publish {port}: {e.Message}");
        }
    }

    private async Task AcceptAsync(Socket listener, int containerPort)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stopping.IsCancellationRequested) return;
                continue;
            }
            _ = ForwardAsync(client, containerPort);
        }
    }

    private async Task ForwardAsync(Socket client, int containerPort)
    {
        using var outer = client;
        try
        {
            using var inner = await dialer.CreateAsync(SocketType.Stream, ProtocolType.Tcp);
            await inner.ConnectAsync(new IPEndPoint(IPAddress.Loopback, containerPort), stopping.Token);
            outer.NoDelay = inner.NoDelay = true;
            await Task.WhenAll(CopyAsync(outer, inner), CopyAsync(inner, outer));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or ContainerSetupException)
        {
            // The container is not listening (yet), restarted, or went away: the client sees the connection close.
        }
    }

    /// <summary>Copies one direction until EOF, then half-closes the other side so the peer sees the end too.</summary>
    private async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[BufferSize];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, stopping.Token)) > 0)
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stopping.Token);
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            from.Close(0);
            to.Close(0);
        }
    }

    public void Dispose()
    {
        stopping.Cancel();
        foreach (var listener in listeners) listener.Dispose();
        dialer.Dispose();
    }
}
