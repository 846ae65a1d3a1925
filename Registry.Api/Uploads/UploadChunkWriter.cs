using Microsoft.AspNetCore.Http.Features;
using Registry.Api.Errors;
using Registry.Oci;
using Registry.Storage.Uploads;

namespace Registry.Api.Uploads;

/// <summary>
/// The request-side rules shared by PATCH, the final PUT and the monolithic POST: Content-Range must
/// continue the upload exactly (else 416), the declared sizes must agree (else SIZE_INVALID), and a
/// failed chunk leaves nothing behind.
/// </summary>
internal static class UploadChunkWriter
{
    public sealed record Appended(UploadSession? Session, IResult? Error);

    /// <summary>Appends the request body; <paramref name="completing"/> when this request completes the session next.</summary>
    public static async Task<Appended> AppendAsync(
        HttpContext context, UploadSessionService uploads, UploadSession session, bool completing, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var rangeText = request.Headers.ContentRange.ToString();
        ContentRange? range = null;
        if (rangeText.Length > 0)
        {
            if (!ContentRange.TryParse(rangeText, out var parsed))
                return Refuse(context, session, OciError.BlobUploadInvalid($"Content-Range '{rangeText}' is not <start>-<end>", 416));
            if (parsed.Start != session.Offset || parsed.End < parsed.Start)
                return Refuse(context, session, OciError.BlobUploadInvalid(
                    $"chunk {parsed.Start}-{parsed.End} does not continue the upload, which holds {session.Offset} bytes", 416));
            if (request.ContentLength is { } declared && declared != parsed.Length)
                return Refuse(context, session, OciError.SizeInvalid($"Content-Length {declared} does not match Content-Range {rangeText}"));
            range = parsed;
        }
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;
        if (!canHaveBody) return new Appended(session, null);

        var appended = await uploads.AppendAsync(session, request.Body, completing, cancellationToken);
        if (range is { } r && appended.Offset - session.Offset != r.Length)
        {
            // The body disagreed with its Content-Range: the session cannot be trusted any more.
            await uploads.CancelAsync(appended, cancellationToken);
            return new Appended(null, OciError.SizeInvalid($"received {appended.Offset - session.Offset} bytes for Content-Range {rangeText}"));
        }
        return new Appended(appended, null);
    }

    public static async Task<IResult> CompleteAsync(HttpContext context, UploadSessionService uploads, UploadSession session, Digest expected, CancellationToken cancellationToken)
    {
        var actual = await uploads.CompleteAsync(session, expected, cancellationToken);
        if (actual != expected)
            return OciError.DigestInvalid("the uploaded content does not match the digest; the upload was discarded",
                new { expected = expected.ToString(), actual = actual.ToString() });
        var location = $"/v2/{session.Repository}/blobs/{expected}";
        context.Response.Headers["Docker-Content-Digest"] = expected.ToString();
        return Results.Created(location, null);
    }

    public static IResult Accepted(HttpContext context, UploadSession session)
    {
        SetSessionHeaders(context, session);
        return Results.Accepted(UploadLocation(session));
    }

    public static void SetSessionHeaders(HttpContext context, UploadSession session)
    {
        var headers = context.Response.Headers;
        headers.Location = UploadLocation(session);
        headers.Range = ContentRange.HeaderFor(session.Offset);
        headers["Docker-Upload-UUID"] = session.Id;
    }

    private static Appended Refuse(HttpContext context, UploadSession session, IResult error)
    {
        // The current range tells the client where to resume.
        SetSessionHeaders(context, session);
        return new Appended(null, error);
    }

    private static string UploadLocation(UploadSession session) => $"/v2/{session.Repository}/blobs/uploads/{session.Id}";
}
