using System.Text.Json.Serialization;

namespace Registry.Api.Management;

/// <summary>The management API's one error shape: <c>{"error":{"code","message"}}</c> with a matching status.</summary>
public static class ApiError
{
    public static IResult Create(int status, string code, string message) =>
        Results.Json(new Envelope(new Body(code, message)), statusCode: status);

    public static IResult BadRequest(string message) => Create(400, "INVALID", message);
    public static IResult Forbidden(string message) => Create(403, "DENIED", message);
    public static IResult NotFound(string what) => Create(404, "NOT_FOUND", $"{what} not found");
    public static IResult Conflict(string message) => Create(409, "CONFLICT", message);

    public sealed record Envelope([property: JsonPropertyName("error")] Body Error);
    public sealed record Body([property: JsonPropertyName("code")] string Code, [property: JsonPropertyName("message")] string Message);
}
