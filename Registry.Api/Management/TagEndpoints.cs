using Registry.Api.Ui.Data;
using Registry.Auth.Accounts;
using Registry.Auth.Permissions;

namespace Registry.Api.Management;

/// <summary>
/// A repository's tags: <c>GET /api/v1/repositories/{name}/tags?page=&amp;size=&amp;sort=</c> (newest push first by
/// default) and <c>DELETE /api/v1/repositories/{name}/tags/{tag}</c>, which goes through the /v2 DELETE handler, so
/// immutable-tag rules, caches and usage accounting apply exactly as they do for OCI clients.
/// </summary>
public static class TagEndpoints
{
    public const int MaxPageSize = 1000;

    public static RouteGroupBuilder MapRepositoryTags(this RouteGroupBuilder api)
    {
        // See: docs/management-api.md#tags (this project's own API; /swagger has the schema)
        api.MapGet("/repositories/{**tagsPath:repotags(list)}", List)
            .WithSummary("GET /api/v1/repositories/{name}/tags: a page of the repository's tags with digest, size and push time")
            .Produces<TagListResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/repositories/{**tagPath:repotags(tag)}", Delete)
            .WithSummary("DELETE /api/v1/repositories/{name}/tags/{tag}: removes the tag (the manifest stays, reachable by digest)")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> List(string tagsPath, ManagementCaller caller, RepositoryTargetResolver targets, UiQueries queries,
        int? page, int? size, string? sort, CancellationToken ct)
    {
        var name = RepositoryTagsRoute.Parse(tagsPath)!.Repository;
        if (ParseOrder(sort) is not { } order) return ApiError.BadRequest("sort must be pushed (newest first), pushed-oldest or name");
        if (page is < 0) return ApiError.BadRequest("page counts from 0");
        if (size is < 1 or > MaxPageSize) return ApiError.BadRequest($"size must be between 1 and {MaxPageSize}");
        var target = await targets.ResolveAsync(name, ct);
        if (!AccessEvaluator.Evaluate(caller.Access, target).HasFlag(RegistryActions.Pull)) return ApiError.NotFound($"repository '{name}'");
        var (number, pageSize) = (page ?? 0, size ?? 100);
        if (await queries.TagsAsync(name, order, number, pageSize, ct) is not { } found) return ApiError.NotFound($"repository '{name}'");
        return Results.Ok(new TagListResponse(name, found.Tags.Select(TagResponse.From).ToList(), number, pageSize, found.Total));
    }

    private static async Task<IResult> Delete(string tagPath, ManagementCaller caller, RepositoryTargetResolver targets, RegistryDeletion deletion,
        CancellationToken ct)
    {
        var (name, tag) = RepositoryTagsRoute.Parse(tagPath)!;
        var target = await targets.ResolveAsync(name, ct);
        var allowed = AccessEvaluator.Evaluate(caller.Access, target);
        if (!allowed.HasFlag(RegistryActions.Pull)) return ApiError.NotFound($"repository '{name}'");
        if (!allowed.HasFlag(RegistryActions.Delete)) return ApiError.Forbidden($"deleting tags of '{name}' needs the delete permission");
        var (status, error) = await deletion.DeleteWithStatusAsync(name, tag!, ct);
        // Recorded like a /v2 delete: the tag.deleted event, which the audit log reads.
        if (status is >= 200 and < 300) return Results.NoContent();
        return status == StatusCodes.Status404NotFound
            ? ApiError.NotFound($"tag '{tag}' of '{name}'")
            : ApiError.Create(status, status == StatusCodes.Status403Forbidden ? "DENIED" : "INVALID", error ?? "the registry refused the delete");
    }

    private static TagOrder? ParseOrder(string? sort) => sort switch
    {
        null or "" or "pushed" => TagOrder.PushedNewest,
        "pushed-oldest" => TagOrder.PushedOldest,
        "name" => TagOrder.Name,
        _ => null,
    };
}

/// <summary>A page of tags: <see cref="Total"/> counts every tag of the repository.</summary>
public sealed record TagListResponse(string Repository, IReadOnlyList<TagResponse> Tags, int Page, int Size, int Total);

public sealed record TagResponse(string Name, string Digest, string MediaType, long Size, DateTime PushedAt)
{
    public static TagResponse From(TagRow row) => new(row.Name, row.Digest, row.MediaType, row.Size, row.PushedAt);
}
