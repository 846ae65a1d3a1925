using Registry.Api.Errors;

namespace Registry.Api.Routing;

/// <summary>
/// The <c>n</c> and <c>last</c> query parameters of the list endpoints, and the <c>Link</c> header to
/// the next page.
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
        int? limit = null;
        var n = request.Query["n"].ToString();
        if (n.Length > 0)
        {
            if (!int.TryParse(n, System.Globalization.NumberStyles.None, null, out var parsed))
            {
                error = OciError.PaginationInvalid($"n must be a non-negative integer, not '{n}'");
                return false;
            }
            limit = Math.Min(parsed, MaxPageSize);
        }
        var last = request.Query["last"].ToString();
        page = new Pagination(limit, last.Length > 0 ? last : null);
        return true;
    }

    /// <summary>The page size to ask the store for: one more than shown, to learn whether a next page exists.</summary>
    public int FetchCount(int defaultLimit) => (Limit ?? defaultLimit) + 1;

    /// <summary>Trims <paramref name="fetched"/> to the page and sets <c>Link</c> when more entries follow.</summary>
    public IReadOnlyList<string> Page(HttpContext context, IReadOnlyList<string> fetched, int defaultLimit, string path)
    {
        var size = Limit ?? defaultLimit;
        if (fetched.Count <= size) return fetched;
        var page = fetched.Take(size).ToList();
        if (size > 0)
        {
            var next = $"{path}?n={size}&last={Uri.EscapeDataString(page[^1])}";
            context.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        }
        return page;
    }
}
