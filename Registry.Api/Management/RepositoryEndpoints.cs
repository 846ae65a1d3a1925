using Microsoft.EntityFrameworkCore;
using Registry.Api.Blobs;
using Registry.Api.Manifests;
using Registry.Api.Management.Paging;
using Registry.Auth.Accounts;
using Registry.Auth.Permissions;
using Registry.Storage.Events;
using Registry.Storage.Metadata;
using Registry.Auth.Data;
using Registry.Oci;

namespace Registry.Api.Management;

/// <summary>Repositories: list what the caller may pull, change visibility, delete (the manage action).</summary>
public static class RepositoryEndpoints
{
    public static RouteGroupBuilder MapRepositories(this RouteGroupBuilder api)
    {
        // See: docs/management-api.md (this project's own API; /swagger has the schema)
        api.MapGet("/repositories", List).PagedBy<RepositoryResponse>("repository name");
        api.MapGet("/repositories/{**name}", Get);
        api.MapPatch("/repositories/{**name}", Update);
        api.MapDelete("/repositories/{**name}", Delete);
        return api;
    }

    /// <summary>A page of the repositories the caller may pull; hidden ones are skipped at the database page by page.</summary>
    private static async Task<IResult> List(ManagementCaller caller, ListPage page, RegistryDbContext db, RepositoryTargetResolver targets,
        string? @namespace, CancellationToken ct)
    {
        if (page.AfterName(RepositoryName.IsValid, out var last) is { } bad) return bad;
        var names = db.Repositories.AsNoTracking().Select(r => r.Name);
        if (!string.IsNullOrEmpty(@namespace)) names = names.Where(name => name.StartsWith(@namespace + "/") || name == @namespace);
        if (last is not null) names = names.Where(name => string.Compare(name, last) > 0);
        var wanted = page.FetchCount;
        var visible = new List<RepositoryResponse>();
        // Read in batches, keeping what the caller may pull, until the page is full.
        while (visible.Count < wanted)
        {
            var batch = await names.OrderBy(name => name).Take(wanted).ToListAsync(ct);
            foreach (var name in batch)
            {
                if (await DescribeAsync(caller, targets, db, name, RegistryActions.Pull, ct) is { } repository) visible.Add(repository);
                if (visible.Count == wanted) break;
            }
            if (batch.Count < wanted) break;
            var after = batch[^1];
            names = names.Where(name => string.Compare(name, after) > 0);
        }
        return Results.Ok(page.Trim(visible, r => r.Name));
    }

    private static async Task<IResult> Get(string name, ManagementCaller caller, RegistryDbContext db, RepositoryTargetResolver targets, CancellationToken ct)
    {
        if (!await db.Repositories.AnyAsync(r => r.Name == name, ct)) return ApiError.NotFound($"repository '{name}'");
        return await DescribeAsync(caller, targets, db, name, RegistryActions.Pull, ct) is { } repository
            ? Results.Ok(repository) : ApiError.NotFound($"repository '{name}'");
    }

    private static async Task<IResult> Update(string name, UpdateRepositoryRequest request, ManagementCaller caller, RegistryDbContext db,
        RepositoryTargetResolver targets, CancellationToken ct)
    {
        if (!RepositoryName.IsValid(name)) return ApiError.BadRequest($"invalid repository name '{name}'");
        if (!Enum.IsDefined(request.Visibility)) return ApiError.BadRequest("visibility must be private, internal or public");
        var target = await targets.ResolveAsync(name, ct);
        // Visibility may be set before the first push, so a repository is never briefly more visible than meant.
        if (target.NamespaceKind == NamespaceKind.Unknown) return ApiError.NotFound($"namespace '{target.Namespace}'");
        if (Refusal(caller, target, name) is { } refusal) return refusal;
        var setting = await db.Set<RepositorySettingEntity>().FirstOrDefaultAsync(s => s.RepositoryName == name, ct);
        if (setting is null) db.Set<RepositorySettingEntity>().Add(new RepositorySettingEntity { RepositoryName = name, Visibility = request.Visibility });
        else setting.Visibility = request.Visibility;
        caller.Record("repository.visibility", name, OrganizationOf(target), $"visibility={request.Visibility}");
        await db.SaveChangesAsync(ct);
        return Results.Ok(new RepositoryResponse(name, request.Visibility, true));
    }

    private static async Task<IResult> Delete(string name, ManagementCaller caller, RegistryDbContext db, RepositoryTargetResolver targets,
        ManifestTagCache cache, BlobLinkCache blobCache, EventOutbox outbox, HttpContext context, CancellationToken ct)
    {
        var target = await targets.ResolveAsync(name, ct);
        var repository = await db.Repositories.FirstOrDefaultAsync(r => r.Name == name, ct);
        if (repository is null || !AccessEvaluator.Evaluate(caller.Access, target).HasFlag(RegistryActions.Pull))
            return ApiError.NotFound($"repository '{name}'");
        if (Refusal(caller, target, name) is { } refusal) return refusal;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Tags, manifests and blob links go with the repository (cascading keys); blob bytes wait for garbage collection.
        db.Repositories.Remove(repository);
        if (await db.Set<RepositorySettingEntity>().FirstOrDefaultAsync(s => s.RepositoryName == name, ct) is { } setting)
            db.Set<RepositorySettingEntity>().Remove(setting);
        caller.Record("repository.delete", name, OrganizationOf(target));
        await db.SaveChangesAsync(ct);
        await Events.EventOriginBinder.BindAsync(context);
        await outbox.WriteAsync([new RegistryEvent(EventTypes.RepositoryDeleted, name)], ct);
        await transaction.CommitAsync(ct);
        cache.InvalidateRepository(name);
        blobCache.InvalidateRepository(name);
        return Results.NoContent();
    }

    private static IResult? Refusal(ManagementCaller caller, RepositoryTarget target, string name) =>
        AccessEvaluator.Evaluate(caller.Access, target).HasFlag(RegistryActions.Manage)
            ? null : ApiError.Forbidden($"managing '{name}' needs the owner or maintainer role in '{target.Namespace}'");

    private static async Task<RepositoryResponse?> DescribeAsync(ManagementCaller caller, RepositoryTargetResolver targets, RegistryDbContext db,
        string name, RegistryActions needed, CancellationToken ct)
    {
        var target = await targets.ResolveAsync(name, ct);
        if (!AccessEvaluator.Evaluate(caller.Access, target).HasFlag(needed)) return null;
        var own = await db.Set<RepositorySettingEntity>().AsNoTracking().AnyAsync(s => s.RepositoryName == name, ct);
        return new RepositoryResponse(name, target.Visibility, own);
    }

    private static string? OrganizationOf(RepositoryTarget target) =>
        target.NamespaceKind == NamespaceKind.Organization ? target.Namespace : null;
}
