using System.Text.Json.Serialization;

namespace Registry.Api.Errors;

/// <summary>
/// The one way /v2 answers an error: the spec's envelope <c>{"errors":[{"code","message","detail"}]}</c>
/// with the spec's code and HTTP status.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
/// </summary>
public static class OciError
{
    public static IResult BlobUnknown(string digest) => Create(404, "BLOB_UNKNOWN", "blob unknown to registry", digest);
    public static IResult BlobUploadInvalid(string message, int status = 400) => Create(status, "BLOB_UPLOAD_INVALID", message);
    public static IResult BlobUploadUnknown(string id) => Create(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", id);
    public static IResult DigestInvalid(string message, object? detail = null) => Create(400, "DIGEST_INVALID", message, detail);
    public static IResult ManifestBlobUnknown(IReadOnlyList<string> missing) =>
        Create(400, "MANIFEST_BLOB_UNKNOWN", $"manifest references {missing.Count} unknown blob(s) or manifest(s): push them first", missing);
    public static IResult ManifestInvalid(string message, int status = 400) => Create(status, "MANIFEST_INVALID", message);
    public static IResult ManifestUnknown(string reference) => Create(404, "MANIFEST_UNKNOWN", "manifest unknown to registry", reference);
    public static IResult NameInvalid(string name) =>
        Create(400, "NAME_INVALID", "invalid repository name: lower-case components of [a-z0-9] joined by . _ __ or -, separated by /, at most 255 characters", name);
    public static IResult NameUnknown(string name) => Create(404, "NAME_UNKNOWN", "repository name not known to registry", name);
    public static IResult TagInvalid(string tag) =>
        Create(400, "TAG_INVALID", "invalid tag: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}", tag);
    public static IResult SizeInvalid(string message) => Create(400, "SIZE_INVALID", message);
    public static IResult PaginationInvalid(string message) => Create(400, "PAGINATION_NUMBER_INVALID", message);
    public static IResult Unauthorized(string message) => Create(401, "UNAUTHORIZED", message);
    public static IResult Denied(string message) => Create(403, "DENIED", message);
    public static IResult Unsupported(string message, int status = 405) => Create(status, "UNSUPPORTED", message);
    public static IResult TooManyRequests(string message) => Create(429, "TOOMANYREQUESTS", message);
    public static IResult Unavailable(string message) => Create(503, "UNAVAILABLE", message);

    /// <summary>An error with any code; prefer the named factories.</summary>
    public static IResult Create(int status, string code, string message, object? detail = null) =>
        Results.Json(new Envelope([new Entry(code, message, detail)]), statusCode: status, contentType: "application/json");

    private sealed record Envelope([property: JsonPropertyName("errors")] IReadOnlyList<Entry> Errors);

    private sealed record Entry(
        [property: JsonPropertyName("code")] string Code,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("detail"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Detail);
}
