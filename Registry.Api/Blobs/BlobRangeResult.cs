using Microsoft.Net.Http.Headers;
using Registry.Storage.Blobs;
using Registry.Oci;

namespace Registry.Api.Blobs;

/// <summary>
/// Sends a blob's bytes, honouring a single byte range: 206 with Content-Range, or 416 when unsatisfiable.
/// A local file (filesystem store) is read straight into the connection's output buffers in large
/// blocks; other stores are streamed.
/// </summary>
internal static class BlobRangeResult
{
    // Large blocks keep the per-syscall and per-flush cost small next to the copy itself.
    private const int FileBlockSize = 256 * 1024;

    public static async Task<IResult> SendAsync(
        HttpContext context, IBlobStore store, Digest digest, long size, string? localPath, CancellationToken cancellationToken)
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
        if (localPath is not null)
        {
            await SendFileAsync(response, digest, localPath, offset, length, cancellationToken);
            return Results.Empty;
        }
        await using var stream = await store.OpenReadAsync(digest, offset, length, cancellationToken);
        await stream.CopyToAsync(response.Body, cancellationToken);
        return Results.Empty;
    }

    // Kestrel has no sendfile: its SendFileAsync reads into a buffer and copies that into the response
    // pipe. Reading into the pipe's own memory saves that second copy.
    private static async Task SendFileAsync(HttpResponse response, Digest digest, string path, long offset, long length, CancellationToken cancellationToken)
    {
        using var file = OpenFile(digest, path);
        await response.StartAsync(cancellationToken);
        var writer = response.BodyWriter;
        while (length > 0)
        {
            var block = writer.GetMemory((int)Math.Min(length, FileBlockSize));
            var wanted = (int)Math.Min(block.Length, length);
            var read = RandomAccess.Read(file, block.Span[..wanted], offset);
            if (read == 0) throw new IOException($"blob {digest} is shorter on disk than its recorded size");
            writer.Advance(read);
            offset += read;
            length -= read;
            var flushed = await writer.FlushAsync(cancellationToken);
            if (flushed.IsCompleted || flushed.IsCanceled) return;
        }
    }

    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenFile(Digest digest, string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(digest);
        }
    }
}
