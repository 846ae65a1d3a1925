using System.Net;
using System.Net.Sockets;
using Registry.Storage.Events;

namespace Registry.Api.Events.Delivery;

/// <summary>
/// The HTTP client webhooks are delivered with. Every connection resolves the host itself and connects only to
/// addresses outside <c>Registry:Events:DeniedNetworks</c> (so a name that resolves to the metadata endpoint, or
/// re-resolves to it later, is refused at connect time, not only when the webhook is saved). Redirects are not
/// followed and no proxy is used: either would send the request somewhere the check did not see.
/// </summary>
public sealed class OutboundGuard : IDisposable
{
    private readonly IReadOnlyList<IPNetwork> denied;

    public OutboundGuard(EventsOptions options)
    {
        denied = options.ParsedDeniedNetworks();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = options.DeliveryTimeout,
            ConnectCallback = ConnectAsync,
        };
        Client = new HttpClient(handler) { Timeout = options.DeliveryTimeout };
    }

    /// <summary>The guarded client (per-request timeout: <c>Registry:Events:DeliveryTimeout</c>).</summary>
    public HttpClient Client { get; }

    /// <summary>True when <paramref name="address"/> lies in a denied network.</summary>
    public bool IsDenied(IPAddress address)
    {
        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return denied.Any(network => network.Contains(normalized));
    }

    /// <summary>The guarded connect, for other outbound clients (replication) to put in their own handler.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => !IsDenied(a)).ToArray();
        if (allowed.Length == 0) throw new OutboundDeniedException($"{host} resolves only to denied networks (Registry:Events:DeniedNetworks)");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => Client.Dispose();
}

/// <summary>A webhook URL whose host is in a denied network.</summary>
public sealed class OutboundDeniedException(string message) : IOException(message);
