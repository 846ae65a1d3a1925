using Registry.Api.Management;
using Registry.Auth.Permissions;
using Registry.Storage.Events;

namespace Registry.Api.Events;

/// <summary>The parsed query of <c>GET /api/v1/events</c>; bad input gives a 400 with what to fix.</summary>
public sealed record EventFeedQuery(long After, TimeSpan Wait, IReadOnlyList<RepositoryPattern> Repositories, IReadOnlyList<string>? Types, int Limit)
{
    public const int MaxPageSize = 500;
    public const int MaxWaitSeconds = 60;

    public static EventFeedQuery? TryParse(HttpRequest request, EventsOptions options, out IResult? error)
    {
        error = null;
        var query = request.Query;
        long after = 0;
        if (query.TryGetValue("after", out var afterText) && !string.IsNullOrEmpty(afterText) && (!long.TryParse(afterText, out after) || after < 0))
            return Fail(out error, "after must be a cursor returned as 'next' by an earlier page");
        var wait = 0;
        if (query.TryGetValue("wait", out var waitText) && !string.IsNullOrEmpty(waitText) && (!int.TryParse(waitText, out wait) || wait is < 0 or > MaxWaitSeconds))
            return Fail(out error, $"wait must be a number of seconds from 0 to {MaxWaitSeconds}");
        var limit = 100;
        if (query.TryGetValue("limit", out var limitText) && !string.IsNullOrEmpty(limitText) && (!int.TryParse(limitText, out limit) || limit is < 1 or > MaxPageSize))
            return Fail(out error, $"limit must be from 1 to {MaxPageSize}");
        var patterns = new List<RepositoryPattern>();
        foreach (var text in Split(query["repositories"]))
        {
            if (!RepositoryPattern.TryParse(text, out var pattern))
                return Fail(out error, $"invalid repository pattern '{text}': lower-case letters, digits, . _ - / and *");
            patterns.Add(pattern);
        }
        List<string>? types = null;
        foreach (var text in Split(query["types"]))
        {
            if (EventTypes.Normalize(text, options.TypePrefix) is not { } type)
                return Fail(out error, $"unknown event type '{text}'; known: {string.Join(", ", EventTypes.All)}");
            (types ??= []).Add(type);
        }
        return new EventFeedQuery(after, TimeSpan.FromSeconds(wait), patterns, types, limit);
    }

    /// <summary>True when the repository passes the <c>repositories</c> filter (no filter: every repository).</summary>
    public bool MatchesRepository(string repository) =>
        Repositories.Count == 0 || (repository.Length > 0 && Repositories.Any(p => p.Matches(repository)));

    private static IEnumerable<string> Split(Microsoft.Extensions.Primitives.StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static EventFeedQuery? Fail(out IResult? error, string message)
    {
        error = ApiError.BadRequest(message);
        return null;
    }
}
