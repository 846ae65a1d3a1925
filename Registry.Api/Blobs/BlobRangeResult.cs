using Microsoft.Net.Http.Headers;
using Registry.Storage.Blobs;
using Registry.Storage.Oci;

namespace Registry.Api.Blobs;

/// <summary>
/// Streams a blob from a store that has no local file (object stores without redirects), honouring a
/// single byte range the way a file result would: 206 with Content-Range, or 416 when unsatisfiable.
/// </summary>
internal static class BlobRangeResult
{
    public static async Task<IResult> StreamAsync(HttpContext context, IBlobStore store, Digest digest, long size, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.Headers.AcceptRanges = "bytes";
        var rangeHeader = context.Request.Headers.Range.ToString();
        long offset = 0, length = size;
        if (rangeHeader.Length > 0 && RangeHeaderValue.TryParse(rangeHeader, out var range) && range.Ranges.Count == 1)
        {
            var item = range.Ranges.First();
            (offset, length) = item switch
            {
                { From: { } from, To: { } to } => (from, Math.Min(to, size - 1) - from + 1),
                { From: { } from, To: null } => (from, size - from),
                { From: null, To: { } suffix } => (Math.Max(0, size - suffix), Math.Min(suffix, size)),
                _ => (0, size),
            };
            if (offset >= size || length <= 0)
            {
                response.Headers.ContentRange = $"bytes */{size}";
                return Results.StatusCode(StatusCodes.Status416RangeNotSatisfiable);
            }
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {offset}-{offset + length - 1}/{size}";
        }
        response.ContentLength = length;
        response.ContentType = "application/octet-stream";
        if (HttpMethods.IsHead(context.Request.Method)) return Results.Empty;
        await using var stream = await store.OpenReadAsync(digest, offset, length, cancellationToken);
        await stream.CopyToAsync(response.Body, cancellationToken);
        return Results.Empty;
    }
}
