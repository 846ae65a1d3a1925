using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Registry.Auth.Accounts;

namespace Registry.Api.Management;

/// <summary>
/// The management API's one error shape: RFC 9457 problem details (<c>application/problem+json</c>) with
/// <c>status</c>, <c>title</c> (the status's reason phrase), <c>detail</c> (what to fix) and a stable <c>code</c>
/// (INVALID, UNAUTHORIZED, DENIED, NOT_FOUND, CONFLICT, TOOMANYREQUESTS) for programs.
/// See: https://www.rfc-editor.org/rfc/rfc9457
/// </summary>
public static class ApiError
{
    public static ProblemHttpResult Create(int status, string code, string message) =>
        TypedResults.Problem(detail: message, statusCode: status, title: ReasonPhrases.GetReasonPhrase(status),
            extensions: new Dictionary<string, object?> { ["code"] = code });

    public static IResult BadRequest(string message) => Create(400, "INVALID", message);
    public static IResult Forbidden(string message) => Create(403, "DENIED", message);
    public static IResult NotFound(string what) => Create(404, "NOT_FOUND", $"{what} not found");
    public static IResult Conflict(string message) => Create(409, "CONFLICT", message);

    /// <summary>An account service's refusal (Registry.Auth) as the API answers it.</summary>
    public static IResult From(AccountProblem problem) => problem.Kind switch
    {
        AccountProblemKind.Invalid => BadRequest(problem.Message),
        AccountProblemKind.NotFound => Create(404, "NOT_FOUND", problem.Message),
        AccountProblemKind.Conflict => Conflict(problem.Message),
        _ => Forbidden(problem.Message),
    };

    /// <summary>The message of an error made here, or null when <paramref name="result"/> is not one.</summary>
    public static string? MessageOf(IResult result) => (result as ProblemHttpResult)?.ProblemDetails.Detail;
}
