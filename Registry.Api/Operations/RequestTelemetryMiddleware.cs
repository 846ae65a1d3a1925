using Prometheus;

namespace Registry.Api.Operations;

/// <summary>
/// Echoes the request id (the one in every log line of the request) as <c>X-Request-Id</c>, and counts
/// bytes in and out and the blob upload requests in flight. Bytes are taken from Content-Length, so the
/// response body keeps its zero-copy (sendfile) path; a request body without one (chunked) is counted as
/// it is read.
/// </summary>
internal sealed class RequestTelemetryMiddleware(RequestDelegate next)
{
    private static readonly Counter BytesReceived;
    private static readonly Counter BytesSent;
    private static readonly Gauge UploadsInFlight;

    // An explicit static constructor creates the metrics with the first request, so /metrics lists them
    // (at zero) before anything has been uploaded.
    static RequestTelemetryMiddleware()
    {
        BytesReceived = Metrics.CreateCounter("registry_http_received_bytes_total", "Request body bytes received");
        BytesSent = Metrics.CreateCounter("registry_http_sent_bytes_total", "Response body bytes sent");
        UploadsInFlight = Metrics.CreateGauge("registry_uploads_in_flight", "Blob upload requests being processed");
    }

    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers["X-Request-Id"] = context.TraceIdentifier;
        var isUpload = context.Request.Path.Value?.Contains("/blobs/uploads", StringComparison.Ordinal) == true;
        if (isUpload) UploadsInFlight.Inc();
        var chunked = context.Request.ContentLength is null && context.Request.Headers.TransferEncoding.Count > 0
            ? new CountingReadStream(context.Request.Body) : null;
        if (chunked is not null) context.Request.Body = chunked;
        try
        {
            await next(context);
        }
        finally
        {
            if (isUpload) UploadsInFlight.Dec();
            if (context.Request.ContentLength is > 0 and var received) BytesReceived.Inc(received);
            else if (chunked is { BytesRead: > 0 }) BytesReceived.Inc(chunked.BytesRead);
            if (context.Response.ContentLength is > 0 and var sent && !HttpMethods.IsHead(context.Request.Method)) BytesSent.Inc(sent);
        }
    }
}
