using System.Collections.Concurrent;

namespace Registry.Api.Proxy;

/// <summary>One <see cref="UpstreamClient"/> per configured upstream, kept for the life of the app (connections and tokens are reused).</summary>
public sealed class UpstreamClients(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, UpstreamClient> clients = new();

    public UpstreamClient For(UpstreamOptions upstream) => clients.GetOrAdd(upstream.Prefix, _ => new UpstreamClient(upstream, time));
}
