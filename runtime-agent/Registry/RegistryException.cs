using System.Net;
using System.Text.Json;

namespace RuntimeAgent.Registry;

/// <summary>A registry said no, or said something the agent cannot use; the message is for the user.</summary>
public class RegistryException(string message, HttpStatusCode? status = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;

    /// <summary>Builds an exception from an error response, quoting the OCI error body when there is one.</summary>
    public static async Task<RegistryException> FromResponseAsync(string what, HttpResponseMessage response, CancellationToken ct)
    {
        var detail = "";
        try
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                detail = string.Join("; ", errors.EnumerateArray().Select(e =>
                    $"{Text(e, "code")}: {Text(e, "message")}".Trim(' ', ':')));
        }
        catch (JsonException) { }
        var status = (int)response.StatusCode;
        return new RegistryException(
            $"{what}: HTTP {status} {response.ReasonPhrase}{(detail.Length > 0 ? " (" + detail + ")" : "")}",
            response.StatusCode);
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}

/// <summary>The image (tag, digest or platform) does not exist where the reference points.</summary>
public sealed class ImageNotFoundException(string message) : Exception(message);
