using Microsoft.Net.Http.Headers;

namespace Registry.Api.Manifests;

/// <summary>
/// Whether a client's Accept header admits a manifest's media type. No Accept (or a wildcard) admits
/// everything; the registry never converts between formats, so a manifest the client cannot read is
/// reported as not found, as other registries do for clients that do not accept an index.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
/// </summary>
internal static class ContentNegotiation
{
    public static bool Accepts(HttpRequest request, string mediaType)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0) return true;
        if (!MediaTypeHeaderValue.TryParseList(accept, out var values) || values.Count == 0) return true;
        foreach (var value in values)
        {
            var type = value.MediaType.Value;
            if (type is null) continue;
            if (type == "*/*" || type == "application/*" || string.Equals(type, mediaType, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
