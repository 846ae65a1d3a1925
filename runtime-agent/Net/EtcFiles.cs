using System.Net;
using System.Text;
using RuntimeAgent.Containers;
using RuntimeAgent.Run;

namespace RuntimeAgent.Net;

/// <summary>Name resolution settings of one container: <c>--dns</c>, <c>--add-host NAME:IP</c>.</summary>
public sealed record DnsOptions(IReadOnlyList<string> Servers, IReadOnlyList<string> ExtraHosts)
{
    public static readonly DnsOptions None = new([], []);
}

/// <summary>
/// Writes the container's /etc/hosts, /etc/hostname and /etc/resolv.conf into its directory and returns them as
/// bind mounts over the image's (as Docker does), so name resolution works in containers and build steps:
/// hosts maps localhost and the container's hostname to loopback, plus <c>--add-host</c>; resolv.conf is the host's,
/// with loopback resolvers (unreachable from a private network namespace) replaced by <c>--dns</c> or, without
/// it, by the fallback resolvers (Docker's: 8.8.8.8, 8.8.4.4).
/// </summary>
public static class EtcFiles
{
    public static readonly IReadOnlyList<string> FallbackResolvers = ["8.8.8.8", "8.8.4.4"];

    /// <summary>The files written into the container's directory, in this order.</summary>
    public static readonly string[] Names = ["hosts", "hostname", "resolv.conf"];

    public static IReadOnlyList<VolumeMount> Write(string dir, string hostname, bool hostNetwork, DnsOptions dns, string hostResolvConf = "/etc/resolv.conf") =>
        Write(dir, Render(hostname, hostNetwork, dns, hostResolvConf));

    /// <summary>Writes <paramref name="contents"/> (in <see cref="Names"/> order) into <paramref name="dir"/>; returns their bind mounts.</summary>
    public static IReadOnlyList<VolumeMount> Write(string dir, IReadOnlyList<string> contents)
    {
        for (var i = 0; i < Names.Length; i++) WriteFile(Path.Join(dir, Names[i]), contents[i]);
        return Mounts(dir);
    }

    /// <summary>The bind mounts of the files in <paramref name="dir"/> over the image's /etc/hosts, hostname and resolv.conf.</summary>
    public static IReadOnlyList<VolumeMount> Mounts(string dir)
    {
        var mounts = new VolumeMount[Names.Length];
        for (var i = 0; i < Names.Length; i++) mounts[i] = new VolumeMount(Path.Join(dir, Names[i]), $"/etc/{Names[i]}", ReadOnly: false);
        return mounts;
    }

    /// <summary>The files' contents, in <see cref="Names"/> order.</summary>
    public static string[] Render(string hostname, bool hostNetwork, DnsOptions dns, string hostResolvConf = "/etc/resolv.conf")
    {
        var hosts = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        hosts.Append($"127.0.1.1\t{hostname}\n");
        for (var i = 0; i < dns.ExtraHosts.Count; i++)
        {
            var (name, address) = ParseExtraHost(dns.ExtraHosts[i]);
            hosts.Append($"{address}\t{name}\n");
        }
        return
        [
            hosts.ToString(),
            hostname + "\n",
            ResolvConf(File.Exists(hostResolvConf) ? File.ReadAllText(hostResolvConf) : "", hostNetwork, dns.Servers),
        ];
    }

    /// <summary>rw-r--r-- whatever the umask (the setup thread writes them with umask 0, inside the container's scratch).</summary>
    private static void WriteFile(string path, string contents)
    {
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        });
        file.Write(Encoding.UTF8.GetBytes(contents));
    }

    /// <summary>The host's resolv.conf with its nameservers replaced as described above; search and options lines kept.</summary>
    /// <remarks>
    /// Plain loops: every `run` renders this, and LINQ chains here were the process's first generic virtual calls,
    /// whose resolution initialises the NativeAOT type loader (about 0.9 ms of a cached run; docs/PERFORMANCE.md).
    /// </remarks>
    public static string ResolvConf(string host, bool hostNetwork, IReadOnlyList<string> servers)
    {
        var kept = new StringBuilder();
        var reachable = new List<string>();
        foreach (var raw in host.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (!line.StartsWith("nameserver", StringComparison.Ordinal))
            {
                kept.Append(line).Append('\n');
                continue;
            }
            var server = line["nameserver".Length..].Trim();
            if (hostNetwork || !IsLoopback(server)) reachable.Add(server);
        }
        var usable = servers.Count > 0 ? servers : reachable.Count > 0 ? reachable : FallbackResolvers;
        for (var i = 0; i < usable.Count; i++) kept.Append("nameserver ").Append(usable[i]).Append('\n');
        return kept.ToString();
    }

    public static void Validate(DnsOptions dns)
    {
        foreach (var server in dns.Servers)
            if (!IPAddress.TryParse(server, out _)) throw new ContainerStateException($"invalid --dns '{server}': not an IP address");
        foreach (var entry in dns.ExtraHosts) ParseExtraHost(entry);
    }

    private static (string Name, string Address) ParseExtraHost(string entry)
    {
        var colon = entry.IndexOf(':');
        if (colon <= 0 || !IPAddress.TryParse(entry[(colon + 1)..].Trim('[', ']'), out var address) || entry[..colon].Any(char.IsWhiteSpace))
            throw new ContainerStateException($"invalid --add-host '{entry}': use NAME:IP");
        return (entry[..colon], address.ToString());
    }

    private static bool IsLoopback(string server) => IPAddress.TryParse(server.Split('%')[0], out var a) && IPAddress.IsLoopback(a);
}
