using System.Collections.Concurrent;
using Registry.Oci;

namespace Registry.Api.Proxy;

/// <summary>
/// The blob downloads in flight on this replica, one per upstream and digest: a client asking for a blob that
/// is already coming joins that download instead of starting another (replicas do not share theirs).
/// Downloads outlive the request that started them, so a client that hangs up does not waste the bytes.
/// </summary>
public sealed class BlobFetches(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger<BlobFetches> logger, string tempDirectory)
{
    private static readonly TimeSpan LateJoinWindow = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, BlobFetch> running = new();

    /// <summary>The running download of <paramref name="digest"/> from <paramref name="upstream"/>, started when there is none.</summary>
    public BlobFetch StartOrJoin(UpstreamClient upstream, string remoteName, Digest digest, string repository)
    {
        var key = $"{upstream.Options.Prefix}/{digest}";
        while (true)
        {
            if (running.TryGetValue(key, out var existing)) return existing;
            Directory.CreateDirectory(tempDirectory);
            var fetch = new BlobFetch(Path.Combine(tempDirectory, Guid.NewGuid().ToString("N")));
            if (!running.TryAdd(key, fetch)) continue;
            _ = Task.Run(async () =>
            {
                await fetch.RunAsync(upstream, remoteName, digest, repository, scopes, lifetime.ApplicationStopping);
                // A stored download stays joinable a little longer: a client that found the blob missing just before
                // it was linked reaches StartOrJoin just after, and must read these bytes, not fetch them again.
                if (!fetch.Stored.IsFaulted)
                    await Task.Delay(LateJoinWindow, lifetime.ApplicationStopping).ContinueWith(_ => { }, TaskScheduler.Default);
                running.TryRemove(new KeyValuePair<string, BlobFetch>(key, fetch));
                if (fetch.Stored.IsFaulted)
                    logger.LogWarning("Pull-through fetch of {Digest} for {Repository} failed: {Reason}", digest, repository, fetch.Stored.Exception!.InnerException!.Message);
                fetch.DeleteTempFile();
            });
            return fetch;
        }
    }
}
