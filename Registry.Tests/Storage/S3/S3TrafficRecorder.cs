using System.Collections.Concurrent;

namespace Registry.Tests.BlobStores.S3;

/// <summary>One request the store sent to S3, as it went on the wire.</summary>
public sealed record S3Request(string Method, string PathAndQuery, long? ContentLength)
{
    public bool IsPart => Method == "PUT" && PathAndQuery.Contains("partNumber=", StringComparison.Ordinal);
}

/// <summary>
/// Passes every request through to the real s3rver and notes it, so tests can tell which S3 protocol the
/// store spoke (s3rver stores a multipart object exactly like a single PUT, and cannot list or abort uploads).
/// <paramref name="beforeSend"/> lets a test act at a chosen request, e.g. cancel mid-upload.
/// </summary>
public sealed class S3TrafficRecorder(Action<S3Request>? beforeSend = null) : DelegatingHandler
{
    private readonly ConcurrentQueue<S3Request> requests = new();

    public IReadOnlyList<S3Request> Requests => [.. requests];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var seen = new S3Request(request.Method.Method, request.RequestUri!.PathAndQuery, request.Content?.Headers.ContentLength);
        requests.Enqueue(seen);
        beforeSend?.Invoke(seen);
        return base.SendAsync(request, cancellationToken);
    }
}
