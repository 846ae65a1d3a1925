using Registry.Api.Operations;
using Registry.Storage.GarbageCollection;
using Registry.Storage.Metadata;

namespace Registry.Api.Management;

/// <summary>On-demand garbage collection for administrators: <c>POST /api/v1/gc?dryRun=true</c>.</summary>
public static class GarbageCollectionEndpoints
{
    public static RouteGroupBuilder MapGarbageCollection(this RouteGroupBuilder api)
    {
        // See: docs/REGISTRY.md#garbage-collection (this project's own API; /swagger has the schema)
        api.MapPost("/gc", Run)
            .WithSummary("Runs garbage collection now; with dryRun=true reports what would go and deletes nothing")
            .Produces<GarbageCollectionReport>()
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> Run(ManagementCaller caller, GarbageCollector collector, RegistryDbContext db, bool? dryRun, CancellationToken ct)
    {
        if (!caller.Access.IsAdmin) return ApiError.Forbidden("only administrators run garbage collection");
        var report = await collector.RunAsync(dryRun ?? false, ct);
        if (report is null) return ApiError.Conflict("a garbage collection is already running on this or another replica; try again when it ends");
        GarbageCollectionMetrics.Record(report);
        if (!report.DryRun)
        {
            caller.Record("gc.run", "registry", null,
                $"manifests={report.Manifests.Count} blobs={report.Blobs.Count} uploads={report.Uploads.Count} bytes={report.BytesFreed}");
            await db.SaveChangesAsync(ct);
        }
        return Results.Ok(report);
    }
}
