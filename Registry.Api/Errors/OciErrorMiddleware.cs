using Microsoft.AspNetCore.Diagnostics;
using Registry.Storage.Blobs;

namespace Registry.Api.Errors;

/// <summary>
/// Makes every /v2 failure speak the spec's envelope: status codes that routing produces on its own
/// (404 for an unknown path, 405 for a wrong method) and exceptions that escape a handler.
/// </summary>
public static class OciErrorMiddleware
{
    public static WebApplication UseOciErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = _ => 500,
            ExceptionHandler = async context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                await ToResult(error).ExecuteAsync(context);
            },
        });
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            if (!context.Request.Path.StartsWithSegments("/v2")) return;
            var result = context.Response.StatusCode switch
            {
                404 => OciError.Create(404, "NAME_UNKNOWN", "no such registry route", context.Request.Path.Value),
                405 => OciError.Unsupported($"{context.Request.Method} is not supported on this route"),
                _ => null,
            };
            if (result is not null) await result.ExecuteAsync(context);
        });
        return app;
    }

    /// <summary>The spec's answer to an exception thrown while serving a /v2 request.</summary>
    public static IResult ToResult(Exception? error) => error switch
    {
        UploadOffsetMismatchException => OciError.BlobUploadInvalid("the upload's staged bytes changed under this request; GET the session for its range", 416),
        UploadNotFoundException => OciError.BlobUploadUnknown(""),
        BlobNotFoundException e => OciError.BlobUnknown(e.Digest.ToString()),
        StoreUnavailableException e => OciError.Unavailable(e.Message),
        _ when DatabaseUnavailable.Matches(error) => OciError.Unavailable("the metadata database is unavailable; retry shortly"),
        BadHttpRequestException e => OciError.Create(e.StatusCode, "BLOB_UPLOAD_INVALID", e.Message),
        OperationCanceledException => OciError.Unavailable("request cancelled"),
        _ => OciError.Create(500, "UNKNOWN", "internal error"),
    };
}
