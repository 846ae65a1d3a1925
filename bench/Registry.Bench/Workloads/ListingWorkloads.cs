using System.Text.Json;

namespace Registry.Bench.Workloads;

/// <summary>Whole listings: the tags of a 1,000-tag repository and a 1,000-entry catalog page.</summary>
public static class ListingWorkloads
{
    public static IEnumerable<Workload> All(BenchOptions options)
    {
        var size = options.Smoke ? 50 : 1000;
        return
        [
            new("tag-list-1k", Figure.OpsPerSecond, async (target, ct) =>
            {
                var seeding = await target.TaggedRepo(size);
                var path = $"v2/{seeding.Name}/tags/list";
                var result = await WorkloadCatalog.TimedAsync(target, "tag-list-1k", Figure.OpsPerSecond, 8, async (_, c) =>
                {
                    var (body, _) = await target.Client.GetPageAsync(path, c);
                    ExpectCount(body, "tags", size, path);
                    return body.Length;
                }, ct);
                return result with { Note = seeding.Describe() };
            }),
            new("catalog-1k", Figure.OpsPerSecond, async (target, ct) =>
            {
                var seeding = await target.Repositories(size);
                var path = $"v2/_catalog?n={size}";
                var result = await WorkloadCatalog.TimedAsync(target, "catalog-1k", Figure.OpsPerSecond, 8, async (_, c) =>
                {
                    var (body, _) = await target.Client.GetPageAsync(path, c);
                    ExpectCount(body, "repositories", size, path);
                    return body.Length;
                }, ct);
                return result with { Note = seeding.Describe() };
            }),
        ];
    }

    /// <summary>Checks a listing holds at least <paramref name="minimum"/> names; returns how many it holds.</summary>
    public static int ExpectCount(string body, string property, int minimum, string what)
    {
        using var json = JsonDocument.Parse(body);
        var count = json.RootElement.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.GetArrayLength() : 0;
        return count >= minimum ? count : throw new BenchException($"{what}: {count} {property}, expected at least {minimum}");
    }
}
