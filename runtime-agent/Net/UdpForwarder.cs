using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace RuntimeAgent.Net;

/// <summary>
/// UDP for <c>-p …/udp</c>: one socket in the container's namespace per host-side peer, so replies find their way
/// back; a peer's socket is dropped after a minute without traffic.
/// </summary>
internal sealed class UdpForwarder(Socket listener, int containerPort, NetworkNamespaceDialer dialer, CancellationToken stopping)
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<EndPoint, (Socket Inner, long LastUsed)> peers = new();

    public async Task RunAsync()
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(listener.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var received = await listener.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping);
                var inner = await PeerAsync(received.RemoteEndPoint);
                await inner.SendAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, stopping);
            }
            catch (Exception e) when (e is SocketException or Run.ContainerSetupException)
            {
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task<Socket> PeerAsync(EndPoint peer)
    {
        if (peers.TryGetValue(peer, out var known))
        {
            peers[peer] = (known.Inner, Environment.TickCount64);
            return known.Inner;
        }
        var inner = await dialer.CreateAsync(SocketType.Dgram, ProtocolType.Udp);
        await inner.ConnectAsync(new IPEndPoint(IPAddress.Loopback, containerPort), stopping);
        peers[peer] = (inner, Environment.TickCount64);
        _ = RepliesAsync(peer, inner);
        return inner;
    }

    private async Task RepliesAsync(EndPoint peer, Socket inner)
    {
        var buffer = new byte[65536];
        using (inner)
        {
            while (!stopping.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                idle.CancelAfter(Idle);
                try
                {
                    var read = await inner.ReceiveAsync(buffer, SocketFlags.None, idle.Token);
                    await listener.SendToAsync(buffer.AsMemory(0, read), SocketFlags.None, peer, stopping);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested
                                                          && Environment.TickCount64 - peers[peer].LastUsed < Idle.TotalMilliseconds)
                {
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    break;
                }
            }
        }
        peers.TryRemove(peer, out _);
    }
}
