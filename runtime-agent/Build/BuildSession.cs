using Registry.Oci;
using RuntimeAgent.Build.Cache;
using RuntimeAgent.Build.Context;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Recipe;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build;

/// <summary>
/// What every stage of one build shares: the store, the parsed recipe and its stage plan, the global ARGs (with
/// the predefined platform ones), the step cache and the COPY/RUN machinery.
/// </summary>
internal sealed class BuildSession
{
    /// <summary>The only platform built here: the host's (RUN executes natively, no emulation).</summary>
    public const string HostPlatform = "linux/amd64";

    // BuildKit's predefined platform ARGs: usable in FROM lines at once, inside a stage once declared by `ARG NAME`.
    private static readonly Dictionary<string, string> PlatformArgs = new(StringComparer.Ordinal)
    {
        ["BUILDPLATFORM"] = HostPlatform, ["BUILDOS"] = "linux", ["BUILDARCH"] = "amd64", ["BUILDVARIANT"] = "",
        ["TARGETPLATFORM"] = HostPlatform, ["TARGETOS"] = "linux", ["TARGETARCH"] = "amd64", ["TARGETVARIANT"] = "",
    };

    public required BuildStore Store { get; init; }
    public required TextWriter Output { get; init; }
    public required BuildOptions Options { get; init; }
    public required StagePlan Plan { get; init; }
    public required ShellWords Words { get; init; }
    public required CopyStep CopyStep { get; init; }
    public required RunStep RunStep { get; init; }
    public required StageGate Gate { get; init; }
    /// <summary>The --cache-from caches that could be read (a missing one was a warning).</summary>
    public IReadOnlyList<RegistryStepCache> RemoteCaches { get; init; } = [];
    /// <summary>Every layer step of this build by key (what --cache-to exports).</summary>
    public Dictionary<string, LayerRecord> Steps { get; } = new(StringComparer.Ordinal);
    public long FixedTime { get; init; }
    public Dictionary<string, string> GlobalArgs { get; } = new(PlatformArgs, StringComparer.Ordinal);
    public HashSet<string> UsedArgs { get; } = new(StringComparer.Ordinal);

    public string? GlobalLookup(string name) => GlobalArgs.GetValueOrDefault(name);

    public string Created => DateTimeOffset.FromUnixTimeSeconds(FixedTime).ToString("yyyy-MM-ddTHH:mm:ssZ");

    public string Hash(string text) => ShortSha256.HexOf(text);

    public string StepKey(BuildStage stage, Instruction instruction, string content) =>
        Hash($"{stage.CacheKey}\n{instruction.Text}\n{stage.VisibleArgs()}\n{content}");

    /// <summary>The value an ARG takes: a --build-arg, else its default (substituted), else what it inherits.</summary>
    public string? ArgValue(ArgInstruction arg, Func<string, string?> lookup, string? inherited) =>
        Options.BuildArgs.TryGetValue(arg.Name, out var given) ? given
        : arg.Default is { } fallback ? Words.Expand(fallback, lookup)
        : inherited;

    /// <summary>A step that makes a layer: reused when its key is cached (blob and unpacked layer still present), else made.</summary>
    public async Task LayerStepAsync(BuildStage stage, Instruction instruction, string content, Func<long, Task<LayerRecord>> make, CancellationToken ct)
    {
        var key = StepKey(stage, instruction, content);
        var layer = Options.NoCache ? null : Store.FindCached(key);
        if (layer is not null) Output.WriteLine($"--> CACHED {instruction.Keyword} {layer.DiffId[..19]}");
        else if (!Options.NoCache && await FetchRemoteAsync(key, ct) is ({ } fetched, var cache))
        {
            layer = fetched;
            Store.SaveCached(key, layer);
            Output.WriteLine($"--> CACHED {instruction.Keyword} {layer.DiffId[..19]} (from {cache})");
        }
        else
        {
            layer = await make(FixedTime);
            Store.SaveCached(key, layer);
            Output.WriteLine($"--> {layer.DiffId[..19]}");
        }
        stage.CacheKey = key;
        Steps[key] = layer;
        stage.Layers.Add(layer);
        stage.Config.RootFs.DiffIds.Add(layer.DiffId);
        stage.Config.History.Add(new HistoryEntry { Created = Created, CreatedBy = instruction.Text });
    }

    // A registry cache's layer is pulled outside the stage gate, so other stages go on meanwhile.
    private async Task<(LayerRecord?, RegistryStepCache?)> FetchRemoteAsync(string key, CancellationToken ct)
    {
        foreach (var cache in RemoteCaches)
            if (await Gate.OutsideAsync(() => cache.FetchAsync(key, Output, ct)) is { } layer) return (layer, cache);
        return (null, null);
    }

    /// <summary>
    /// An image from the store, pulled first when absent (its progress among the steps' lines: bars or plain lines as
    /// <see cref="BuildOptions.Progress"/> says); the caller disposes it (it holds the image's lease).
    /// </summary>
    public async Task<ResolvedImage> ResolveImageAsync(string image, CancellationToken ct) =>
        await Cli.ProgressDisplay.PullAsync(Options.Progress, Output,
            progress => new ImageStore(Store.Layout).ResolveAsync(image, new PullOptions(Options.Insecure, Progress: progress), ct));
}
