namespace Registry.Bench;

/// <summary>A registry under test: a display name, its base URL and (optionally) its server PID for RSS sampling.</summary>
/// <summary>
/// A registry under test: a display name, its base URL, its server PID (for RSS sampling) and, for CNCF
/// distribution only, its storage root, so large listings can be seeded by cloning its link files on
/// disk instead of through an API too slow to seed 100,000 entries in a bounded time.
/// </summary>
public sealed record TargetSpec(string Name, Uri BaseUrl, int? Pid, string? DistributionRoot);

/// <summary>Command-line options. Parsed by hand: the tool has a handful of flags and no subcommands.</summary>
public sealed record BenchOptions(
    IReadOnlyList<TargetSpec> Targets,
    bool Smoke,
    IReadOnlySet<string>? Only,
    TimeSpan Duration,
    int PageScale,
    TimeSpan SeedBudget,
    string? MarkdownPath,
    string? JsonPath)
{
    public const string Usage = """
        registry-bench --target NAME=URL [--target NAME=URL …] [--pid NAME=PID …] [options]
          --smoke              a tiny round of every workload (seconds, for CI)
          --only a,b           run only these workloads (names as printed in the table)
          --duration SECONDS   length of each timed read workload (default 10)
          --page-scale N       the large size for the paging checks (default 100000)
          --seed-budget SEC    stop seeding the large paging repo after this long (default 180)
          --distribution-root NAME=DIR  seed large listings of target NAME (a CNCF distribution with
                               filesystem storage at DIR) by cloning the first entry's files on disk
          --markdown FILE      also write the result table as Markdown
          --json FILE          also write every measurement as JSON
        The first target is the numerator of the ratio column.
        """;

    public static BenchOptions Parse(string[] args)
    {
        var urls = new List<(string Name, Uri Url)>();
        var pids = new Dictionary<string, int>();
        var roots = new Dictionary<string, string>();
        bool smoke = false;
        HashSet<string>? only = null;
        double duration = 10, seedBudget = 180;
        int pageScale = 100_000;
        string? markdown = null, json = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--target": var (name, url) = Pair(Value()); urls.Add((name, new Uri(url.TrimEnd('/') + "/"))); break;
                case "--pid": var (pidName, pid) = Pair(Value()); pids[pidName] = int.Parse(pid); break;
                case "--distribution-root": var (rootName, dir) = Pair(Value()); roots[rootName] = dir; break;
                case "--smoke": smoke = true; break;
                case "--help" or "-h": throw new ArgumentException("registry-bench: a load generator for OCI registries");
                case "--only": only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(); break;
                case "--duration": duration = double.Parse(Value()); break;
                case "--page-scale": pageScale = int.Parse(Value()); break;
                case "--seed-budget": seedBudget = double.Parse(Value()); break;
                case "--markdown": markdown = Value(); break;
                case "--json": json = Value(); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        if (urls.Count == 0) throw new ArgumentException("at least one --target NAME=URL is required");
        var targets = urls.Select(u => new TargetSpec(u.Name, u.Url, pids.TryGetValue(u.Name, out var p) ? p : null,
            roots.GetValueOrDefault(u.Name))).ToList();
        return new BenchOptions(targets, smoke, only, TimeSpan.FromSeconds(smoke ? 0.3 : duration),
            smoke ? 200 : pageScale, TimeSpan.FromSeconds(seedBudget), markdown, json);
    }

    static (string, string) Pair(string text)
    {
        var at = text.IndexOf('=');
        if (at <= 0) throw new ArgumentException($"expected NAME=VALUE, got '{text}'");
        return (text[..at], text[(at + 1)..]);
    }
}
