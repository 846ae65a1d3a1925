using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Management;

namespace Registry.Api.Ui.Data;

/// <summary>
/// Reads what a management API handler answered when the UI calls it directly: the created value, or the error
/// message the API would have sent (so the UI and /api/v1 refuse the same things with the same words).
/// </summary>
public static class ManagementOutcome
{
    public static (T? Value, string? Error) Read<T>(IResult result) where T : class => result switch
    {
        Created<T> created => (created.Value, null),
        Ok<T> ok => (ok.Value, null),
        ProblemHttpResult error => (null, ApiError.MessageOf(error) ?? "refused"),
        _ => (null, "the request was refused"),
    };

    /// <summary>The error message of a refused call, or null when the handler succeeded (with or without a body).</summary>
    public static string? ErrorOf(IResult result) => result switch
    {
        ProblemHttpResult error => ApiError.MessageOf(error) ?? "refused",
        IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } => null,
        _ => "the request was refused",
    };
}
