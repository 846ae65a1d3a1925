namespace Registry.Bench.Workloads;

/// <summary>
/// Time per page (n=100) of the tag list and the catalog at two sizes, 1,000 and --page-scale (100,000):
/// a registry that pages in O(page) shows the same time at both. Alternates the first page and a page
/// from the middle (last=…), since an O(total) server may still answer the first page quickly.
/// </summary>
public static class PagingWorkloads
{
    const int PageSize = 100;

    public static IEnumerable<Workload> All(BenchOptions options)
    {
        var small = options.Smoke ? 20 : 1000;
        foreach (var size in new[] { small, options.PageScale })
        {
            yield return new($"tag-page-{PageSize}@{Short(size)}", Figure.Milliseconds, async (target, ct) =>
            {
                var seeding = await target.TaggedRepo(size);
                var middle = BenchTarget.TagName(Math.Min(seeding.Seeded, size) / 2);
                return await PagesAsync(target, $"tag-page-{PageSize}@{Short(size)}", seeding, "tags",
                    $"v2/{seeding.Name}/tags/list?n={PageSize}", $"&last={middle}", options, ct);
            });
            yield return new($"catalog-page-{PageSize}@{Short(size)}", Figure.Milliseconds, async (target, ct) =>
            {
                var seeding = await target.Repositories(size);
                var middle = target.RepoName(size, Math.Min(seeding.Seeded, size) / 2);
                return await PagesAsync(target, $"catalog-page-{PageSize}@{Short(size)}", seeding, "repositories",
                    $"v2/_catalog?n={PageSize}", $"&last={middle}", options, ct);
            });
        }
    }

    static async Task<Measurement> PagesAsync(BenchTarget target, string name, Seeding seeding, string property,
        string firstPage, string middleSuffix, BenchOptions options, CancellationToken ct)
    {
        var largest = 0;
        var result = await LoadLoop.RunAsync(name, target.Spec.Name, Figure.Milliseconds, 1,
            Budget.OpsWithin(options.Smoke ? 6 : 60, TimeSpan.FromSeconds(options.Smoke ? 5 : 30)),
            async (i, c) =>
            {
                var path = i % 2 == 0 ? firstPage : firstPage + middleSuffix;
                var (body, _) = await target.Client.GetPageAsync(path, c);
                var count = ListingWorkloads.ExpectCount(body, property, 1, path);
                largest = Math.Max(largest, count);
                return body.Length;
            }, ct);
        var paged = largest <= PageSize ? $"pages of ≤{PageSize}" : $"n ignored: {largest:N0} entries per response";
        return result with { Note = $"{seeding.Describe()}; {paged}" };
    }

    static string Short(int size) => size >= 1000 && size % 1000 == 0 ? $"{size / 1000}k" : size.ToString();
}
