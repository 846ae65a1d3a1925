using Registry.Api.Errors;

namespace Registry.Api.Routing;

/// <summary>
/// The <c>n</c> and <c>last</c> query parameters of the list endpoints, and the <c>Link</c> header to
/// the next page. /v2 reads them here with OCI errors; /api/v1 through <see cref="Management.ListPage"/>, which
/// reads and links the same way with problem details.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
/// </summary>
internal readonly record struct Pagination(int? Limit, string? Last)
{
    /// <summary>The most entries one page may hold, whatever <c>n</c> asks for.</summary>
    public const int MaxPageSize = 10_000;

    public static bool TryRead(HttpRequest request, out Pagination page, out IResult? error)
    {
        page = default;
        error = null;
        if (ReadQuery(request, out var n, out var last) is { } problem)
        {
            error = OciError.PaginationInvalid(problem);
            return false;
        }
        page = new Pagination(n is { } parsed ? Math.Min(parsed, MaxPageSize) : null, last);
        return true;
    }

    /// <summary>
    /// Reads <c>n</c> (absent: null) and <c>last</c> (absent or empty: null) as the client sent them; a message when
    /// <c>n</c> is not a non-negative integer.
    /// </summary>
    public static string? ReadQuery(HttpRequest request, out int? n, out string? last)
    {
        n = null;
        var lastText = request.Query["last"].ToString();
        last = lastText.Length > 0 ? lastText : null;
        var nText = request.Query["n"].ToString();
        if (nText.Length == 0) return null;
        if (!int.TryParse(nText, System.Globalization.NumberStyles.None, null, out var parsed))
            return $"n must be a non-negative integer, not '{nText}'";
        n = parsed;
        return null;
    }

    /// <summary>The page size to ask the store for: one more than shown, to learn whether a next page exists.</summary>
    public int FetchCount(int defaultLimit) => (Limit ?? defaultLimit) + 1;

    /// <summary>Trims <paramref name="fetched"/> to the page and sets <c>Link</c> when more entries follow.</summary>
    public IReadOnlyList<string> Page(HttpContext context, IReadOnlyList<string> fetched, int defaultLimit, string path)
    {
        var size = Limit ?? defaultLimit;
        if (fetched.Count <= size) return fetched;
        var page = fetched.Take(size).ToList();
        if (size > 0) SetNextLink(context, path, [], size, page[^1]);
        return page;
    }

    /// <summary>
    /// Sets the RFC 8288 <c>Link: &lt;path?…&amp;n=size&amp;last=key&gt;; rel="next"</c> header; <paramref name="keep"/> are
    /// other query parameters the next page must repeat (a filter, for instance).
    /// See: https://www.rfc-editor.org/rfc/rfc8288
    /// </summary>
    public static void SetNextLink(HttpContext context, string path, IEnumerable<KeyValuePair<string, string>> keep, int size, string lastKey)
    {
        var query = keep.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")
            .Append($"n={size}").Append($"last={Uri.EscapeDataString(lastKey)}");
        context.Response.Headers.Link = $"<{path}?{string.Join('&', query)}>; rel=\"next\"";
    }
}
