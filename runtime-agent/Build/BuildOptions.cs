using RuntimeAgent.Store;

namespace RuntimeAgent.Build;

/// <summary>What `runtime-agent build` was asked to do. <see cref="RecipeText"/> is set when the recipe came on stdin (<c>-f -</c>).</summary>
public sealed record BuildOptions(
    string ContextDirectory,
    string RecipePath,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> BuildArgs,
    bool NoCache,
    bool Insecure)
{
    public string? RecipeText { get; init; }
    public string? Target { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();
    /// <summary>Registry caches whose steps this build may reuse (<c>--cache-from</c>), in the order given.</summary>
    public IReadOnlyList<Cache.CacheReference> CacheFrom { get; init; } = [];
    /// <summary>Where this build's steps are exported afterwards (<c>--cache-to</c>).</summary>
    public Cache.CacheReference? CacheTo { get; init; }
    /// <summary>How a FROM image's pull is shown among the step lines (<c>--progress</c>).</summary>
    public Cli.ProgressStyle Progress { get; init; } = Cli.ProgressStyle.Plain;
    /// <summary>How RUN steps' roots are stacked (<c>--snapshotter</c>); null: chosen as for <c>run</c> (Snapshots/SnapshotterProbe).</summary>
    public Snapshots.Snapshotter? Snapshotter { get; init; }
}

/// <summary>A build that failed: the message says which step and why (a failing RUN carries its exit code).</summary>
public sealed class BuildFailedException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The image a build made: its manifest and config digests, the references it was tagged with and its layers.</summary>
public sealed record BuiltImage(string ManifestDigest, string ConfigDigest, IReadOnlyList<string> References, IReadOnlyList<LayerRecord> Layers);
