using System.Collections.Concurrent;
using System.Diagnostics;

namespace Registry.Bench;

/// <summary>
/// One registry under test with the data the workloads share, seeded once on first use: a small tagged
/// image, blobs of given sizes, repositories with N tags and N repositories for the listing checks.
/// </summary>
public sealed class BenchTarget(TargetSpec spec, BenchOptions options) : IDisposable
{
    public TargetSpec Spec => spec;
    public BenchOptions Options => options;
    public RegistryClient Client { get; } = new(spec.BaseUrl);

    /// <summary>Every repository this run creates lives under this prefix (unique per run).</summary>
    public string Prefix { get; } = $"bench/r{(ulong)BlobData.RunNonce % 1_000_000:D6}";

    readonly ConcurrentDictionary<string, Lazy<Task<object>>> seeded = new();

    Task<T> Once<T>(string key, Func<Task<T>> seed) where T : notnull =>
        seeded.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => await seed())).Value.ContinueWith(t => (T)t.Result);

    /// <summary>The small image at <c>{Prefix}/app:latest</c> that the manifest workloads read.</summary>
    public Task<TestImage> AppImage => Once("app", async () =>
    {
        var image = new TestImage([32 * 1024], salt: 1);
        await image.PushAsync(Client, $"{Prefix}/app", "latest");
        return image;
    });

    /// <summary>A blob of <paramref name="size"/> bytes in <c>{Prefix}/blobs</c>; returns its digest.</summary>
    public Task<string> Blob(int size) => Once($"blob-{size}", async () =>
    {
        var data = BlobData.Create(size, salt: 1_000_000 + size);
        var digest = BlobData.Digest(data);
        await Client.PushMonolithicAsync($"{Prefix}/blobs", data, digest);
        return digest;
    });

    /// <summary>A repository holding <paramref name="count"/> tags (t000000…) of the app image.</summary>
    public Task<Seeding> TaggedRepo(int count) => Once($"tags-{count}", async () =>
    {
        var image = await AppImage;
        var repo = $"{Prefix}/tags{count}";
        await image.MountIntoAsync(Client, $"{Prefix}/app", repo, TagName(0));
        return await SeedAsync(repo, count, i => Client.PutManifestAsync(repo, TagName(i), image.Manifest),
            i => $"{repo}/_manifests/tags/{TagName(i)}");
    });

    /// <summary><paramref name="count"/> repositories (…/cat{count}/r000000…) each holding the app image.</summary>
    public Task<Seeding> Repositories(int count) => Once($"repos-{count}", async () =>
    {
        var image = await AppImage;
        return await SeedAsync($"{Prefix}/cat{count}", count,
            i => image.MountIntoAsync(Client, $"{Prefix}/app", RepoName(count, i), "latest"), i => RepoName(count, i));
    });

    public static string TagName(long i) => $"t{i:D6}";
    public string RepoName(int count, long i) => $"{Prefix}/cat{count}/r{i:D6}";

    /// <summary>
    /// Runs <paramref name="seedOne"/> for 0..count-1 with 16 workers, stopping at the seed budget; or, for a
    /// distribution whose storage root is known, seeds entry 0 through the API and clones its directory
    /// (<paramref name="storagePath"/>, relative to distribution's repositories/) for the others.
    /// </summary>
    async Task<Seeding> SeedAsync(string name, int count, Func<long, Task> seedOne, Func<long, string> storagePath)
    {
        var clock = Stopwatch.StartNew();
        if (spec.DistributionRoot is { } root && count > 100)
        {
            await seedOne(0);
            var repositories = Path.Combine(root, "docker/registry/v2/repositories");
            var source = Path.Combine(repositories, storagePath(0));
            if (!Directory.Exists(source)) throw new BenchException($"{source} is missing: is {root} distribution's storage root?");
            Parallel.For(1, count, new ParallelOptions { MaxDegreeOfParallelism = 4 },
                i => CopyDirectory(source, Path.Combine(repositories, storagePath(i))));
            return new Seeding(name, count, count, clock.Elapsed, "cloned on disk");
        }
        var result = await LoadLoop.RunAsync("seed", spec.Name, Figure.OpsPerSecond, 16, Budget.Ops(count),
            async (i, _) =>
            {
                if (clock.Elapsed > options.SeedBudget) throw new SeedBudgetSpent();
                await seedOne(i);
                return 0;
            });
        if (result.Errors > 0 && result.FirstError != SeedBudgetSpent.Text)
            throw new BenchException($"seeding {name} failed: {result.FirstError}");
        return new Seeding(name, count, result.Operations, clock.Elapsed);
    }

    static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source)) File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        foreach (var dir in Directory.EnumerateDirectories(source)) CopyDirectory(dir, Path.Combine(destination, Path.GetFileName(dir)));
    }

    sealed class SeedBudgetSpent() : Exception(Text)
    {
        public const string Text = "seed budget spent";
    }

    public void Dispose() => Client.Dispose();
}

/// <summary>How far seeding got: all of <see cref="Wanted"/> unless the seed budget ran out first.</summary>
public sealed record Seeding(string Name, int Wanted, long Seeded, TimeSpan Elapsed, string How = "through the API")
{
    public bool Complete => Seeded >= Wanted;
    public string Describe() => Complete
        ? $"seeded {Seeded:N0} {How} in {Elapsed.TotalSeconds:F0} s ({Seeded / Elapsed.TotalSeconds:F0}/s)"
        : $"seed budget spent: only {Seeded:N0} of {Wanted:N0} in {Elapsed.TotalSeconds:F0} s";
}
