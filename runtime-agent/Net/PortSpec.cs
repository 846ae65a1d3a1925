using System.Net;
using RuntimeAgent.Containers;

namespace RuntimeAgent.Net;

/// <summary>Parses <c>-p [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp]</c>; the host IP defaults to 127.0.0.1 (loopback only).</summary>
public static class PortSpec
{
    public static PortMapping Parse(string text)
    {
        var (address, protocol) = text.Split('/', 2) switch
        {
            [var a, var p] => (a, p.ToLowerInvariant()),
            [var a] => (a, "tcp"),
            _ => (text, "tcp"),
        };
        if (protocol is not ("tcp" or "udp")) throw Invalid(text, $"unknown protocol '{protocol}' (use tcp or udp)");
        // The host IP may be an IPv6 address in brackets: [::1]:8080:80.
        var lastColon = address.LastIndexOf(':');
        var hostColon = lastColon > 0 ? address.LastIndexOf(':', lastColon - 1) : -1;
        if (lastColon < 0) throw Invalid(text, "expected [HOST_IP:]HOST_PORT:CONTAINER_PORT");
        var hostIp = hostColon > 0 ? address[..hostColon].Trim('[', ']') : "127.0.0.1";
        var hostPort = address[(hostColon + 1)..lastColon];
        var containerPort = address[(lastColon + 1)..];
        if (!IPAddress.TryParse(hostIp, out _)) throw Invalid(text, $"'{hostIp}' is not an IP address");
        return new PortMapping(hostIp, Port(text, hostPort), Port(text, containerPort), protocol);
    }

    private static int Port(string text, string value) =>
        int.TryParse(value, out var port) && port is > 0 and <= 65535 ? port : throw Invalid(text, $"'{value}' is not a port (1-65535)");

    private static ContainerStateException Invalid(string text, string why) => new($"invalid port mapping '{text}': {why}");
}
