using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Registry.Api.Access;
using Registry.Api.Auth;
using Registry.Api.Management;
using Registry.Storage.Events;
using Registry.Storage.Metadata;

namespace Registry.Api.Events;

/// <summary>
/// <c>GET /api/v1/events?after=&amp;wait=&amp;repositories=&amp;types=&amp;limit=</c>: the event log as pages of CloudEvents,
/// long-polling up to <c>wait</c> seconds when nothing is new. Each caller sees only events of repositories it may
/// pull (robots and anonymous callers included); registry-wide events (swept blobs) only administrators.
/// </summary>
public static class EventFeedEndpoints
{
    // A page scans at most this many batches of hidden or filtered-out events before answering with an advanced cursor.
    private const int MaxBatchesPerPage = 10;

    public static IEndpointRouteBuilder MapRegistryEvents(this IEndpointRouteBuilder app)
    {
        // See: docs/REGISTRY.md "Events" (this project's own API; events are CloudEvents 1.0 in JSON)
        app.MapGet("/api/v1/events", GetEvents).WithTags("Events")
            .WithSummary("A page of CloudEvents after a cursor, long-polling up to wait seconds; only repositories the caller may pull")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<IResult> GetEvents(HttpContext context, RegistryDbContext db, EventsOptions options, EventSignal signal,
        CloudEventFactory cloudEvents, IRegistryAccessPolicy policy, TimeProvider time, CancellationToken cancellationToken)
    {
        if (EventFeedQuery.TryParse(context.Request, options, out var error) is not { } query) return error!;
        var seesRegistryWide = true;
        if (context.RequestServices.GetService<RequestAuthenticator>() is { } authenticator)
        {
            var caller = await authenticator.AuthenticateAsync(context);
            if (caller.Status == CallerStatus.RateLimited) return ApiError.Create(429, "TOOMANYREQUESTS", "too many failed logins; try again later");
            if (caller.Status == CallerStatus.Invalid)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"registry\", Basic realm=\"registry\"";
                return ApiError.Create(401, "UNAUTHORIZED", "invalid credentials or token");
            }
            seesRegistryWide = caller.Access.IsAdmin;
        }

        var visible = new Dictionary<string, bool>();
        var cursor = query.After;
        var deadline = time.GetUtcNow() + query.Wait;
        var page = new List<JsonElement>();
        while (true)
        {
            var pulse = signal.NextPulse;
            for (var batches = 0; batches < MaxBatchesPerPage && page.Count == 0; batches++)
            {
                var rows = await ReadBatchAsync(db, cursor, query, cancellationToken);
                foreach (var row in rows)
                {
                    cursor = row.Id;
                    if (!query.MatchesRepository(row.Repository)) continue;
                    if (row.Repository.Length == 0 ? !seesRegistryWide : !await MayPullAsync(context, policy, visible, row.Repository)) continue;
                    page.Add(cloudEvents.ToJson(row));
                }
                if (rows.Count < query.Limit) break;
            }
            var remaining = deadline - time.GetUtcNow();
            if (page.Count > 0 || remaining <= TimeSpan.Zero) break;
            // Other replicas' commits do not pulse this one's signal: look again at least every poll interval.
            await EventSignal.WaitAsync(pulse, remaining < options.PollInterval ? remaining : options.PollInterval, cancellationToken);
        }
        return Results.Json(new FeedPage(page, cursor.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static Task<List<EventEntity>> ReadBatchAsync(RegistryDbContext db, long cursor, EventFeedQuery query, CancellationToken cancellationToken)
    {
        var rows = db.Set<EventEntity>().AsNoTracking().Where(e => e.Id > cursor);
        if (query.Types is { } types) rows = rows.Where(e => types.Contains(e.Type));
        return rows.OrderBy(e => e.Id).Take(query.Limit).ToListAsync(cancellationToken);
    }

    private static async ValueTask<bool> MayPullAsync(HttpContext context, IRegistryAccessPolicy policy, Dictionary<string, bool> known, string repository)
    {
        if (!known.TryGetValue(repository, out var allowed)) known[repository] = allowed = await policy.CanListAsync(context, repository);
        return allowed;
    }

    private sealed record FeedPage(
        [property: JsonPropertyName("events")] IReadOnlyList<JsonElement> Events,
        [property: JsonPropertyName("next")] string Next);
}
