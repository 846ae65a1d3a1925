using System.Globalization;
using Registry.Api.Routing;

namespace Registry.Api.Management.Paging;

/// <summary>
/// A page of an <c>/api/v1</c> list: <c>?n=&lt;count&gt;&amp;last=&lt;key&gt;</c>, the scheme of <c>/v2/…/tags/list</c>
/// (read and linked by <see cref="Pagination"/>), paged at the database on a stable unique key: a handler asks for
/// <see cref="FetchCount"/> rows after the key, ordered by it, and <see cref="Trim{T}"/> keeps <see cref="Size"/> of them
/// and sets <c>Link: &lt;…&gt;; rel="next"</c> when one more came back. Unlike /v2, an <c>n</c> outside
/// 1–<see cref="MaxSize"/> or a <c>last</c> that cannot be a key is refused (400 problem details) rather than clamped.
/// Bound as a handler parameter; errors surface through <see cref="AfterName"/> and <see cref="AfterId"/>.
/// </summary>
public sealed class ListPage
{
    public const int DefaultSize = 100, MaxSize = 1000;

    private readonly HttpContext context;
    private readonly string? problem;

    private ListPage(HttpContext context, int size, string? last, string? problem) =>
        (this.context, Size, Last, this.problem) = (context, size, last, problem);

    /// <summary>How many entries the page shows.</summary>
    public int Size { get; }

    /// <summary>The <c>last</c> key as sent (null on the first page).</summary>
    public string? Last { get; }

    /// <summary>How many rows to read: one more than shown, to learn whether a next page exists.</summary>
    public int FetchCount => Size + 1;

    public static ValueTask<ListPage?> BindAsync(HttpContext context)
    {
        var problem = Pagination.ReadQuery(context.Request, out var n, out var last);
        if (problem is null && n is < 1 or > MaxSize) problem = $"n must be between 1 and {MaxSize}, not {n}";
        return ValueTask.FromResult<ListPage?>(new ListPage(context, n ?? DefaultSize, last, problem));
    }

    /// <summary>For lists keyed by a name: the name to continue after (null on the first page), or a 400.</summary>
    public IResult? AfterName(Func<string, bool> isValidName, out string? after)
    {
        after = Last;
        if (problem is not null) return ApiError.BadRequest(problem);
        return Last is null || isValidName(Last) ? null : ApiError.BadRequest($"last must be a name from the previous page, not '{Last}'");
    }

    /// <summary>For lists keyed by a numeric id: the id to continue after (null on the first page), or a 400.</summary>
    public IResult? AfterId(out long? after)
    {
        after = null;
        if (problem is not null) return ApiError.BadRequest(problem);
        if (Last is null) return null;
        if (!long.TryParse(Last, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return ApiError.BadRequest($"last must be an id from the previous page, not '{Last}'");
        after = id;
        return null;
    }

    /// <summary>Keeps the page's entries of <paramref name="fetched"/> and links the next page when there is one.</summary>
    public IReadOnlyList<T> Trim<T>(IReadOnlyList<T> fetched, Func<T, object> keyOf)
    {
        if (fetched.Count <= Size) return fetched;
        var page = fetched.Take(Size).ToList();
        var keep = context.Request.Query.Where(p => p.Key is not ("n" or "last")).Select(p => KeyValuePair.Create(p.Key, p.Value.ToString()));
        var key = Convert.ToString(keyOf(page[^1]), CultureInfo.InvariantCulture)!;
        Pagination.SetNextLink(context, $"{context.Request.PathBase}{context.Request.Path}", keep, Size, key);
        return page;
    }
}
