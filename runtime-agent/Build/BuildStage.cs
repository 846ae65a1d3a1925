using Registry.Oci;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build;

/// <summary>
/// The image a build stage has made so far: its config (with history and diff_ids), its layers, the cache
/// key of its last step and the ARGs it has declared (visible to later instructions of the stage only).
/// </summary>
public sealed class BuildStage
{
    public string? Name { get; init; }
    public int Index { get; init; }
    public required ImageConfig Config { get; init; }
    public List<LayerRecord> Layers { get; init; } = [];
    public required string CacheKey { get; set; }
    public Dictionary<string, string> Args { get; } = new(StringComparer.Ordinal);

    /// <summary>Set once this stage has its own CMD: ENTRYPOINT then no longer drops it.</summary>
    public bool CmdSetInStage { get; set; }

    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public RuntimeConfig Runtime => Config.Config;
    public string WorkingDir => string.IsNullOrEmpty(Runtime.WorkingDir) ? "/" : Runtime.WorkingDir;

    /// <summary>ENV wins over ARG for substitution, as in Docker; unset is null.</summary>
    public string? Lookup(string name)
    {
        foreach (var entry in Runtime.Env ?? [])
            if (entry.Length > name.Length && entry[name.Length] == '=' && entry.StartsWith(name, StringComparison.Ordinal))
                return entry[(name.Length + 1)..];
        return Args.GetValueOrDefault(name);
    }

    public void SetEnv(string name, string value)
    {
        var env = Runtime.Env ??= [];
        var index = env.FindIndex(e => e.StartsWith(name + "=", StringComparison.Ordinal));
        if (index >= 0) env[index] = $"{name}={value}";
        else env.Add($"{name}={value}");
    }

    /// <summary>What a RUN process sees: the image's Env plus the stage's ARGs that no ENV overrides.</summary>
    public IReadOnlyList<string> RunEnvironment()
    {
        var env = new List<string>(Runtime.Env ?? []);
        foreach (var (name, value) in Args.OrderBy(a => a.Key, StringComparer.Ordinal))
            if (!env.Any(e => e.StartsWith(name + "=", StringComparison.Ordinal))) env.Add($"{name}={value}");
        if (!env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal)))
            env.Add(DefaultPath);
        return env;
    }

    /// <summary>The ARG values this stage's instructions can see, in a stable order (part of each cache key).</summary>
    public string VisibleArgs() => string.Join('\n', Args.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));

    /// <summary>A new stage starting where this one ends (<c>FROM earlier-stage</c>): same image, no ARGs.</summary>
    public BuildStage StartFrom(string? name, int index) =>
        new() { Name = name, Index = index, Config = Copy(Config), Layers = [.. Layers], CacheKey = CacheKey };

    // A field-by-field copy, not a JSON round trip: a fully cached multi-stage rebuild loads no serializer.
    private static ImageConfig Copy(ImageConfig c) => new()
    {
        Created = c.Created, Author = c.Author, Architecture = c.Architecture, Os = c.Os,
        RootFs = new RootFs { Type = c.RootFs.Type, DiffIds = [.. c.RootFs.DiffIds] },
        History = [.. c.History.Select(h => new HistoryEntry { Created = h.Created, CreatedBy = h.CreatedBy, Comment = h.Comment, EmptyLayer = h.EmptyLayer })],
        Config = new RuntimeConfig
        {
            User = c.Config.User, WorkingDir = c.Config.WorkingDir, StopSignal = c.Config.StopSignal,
            Env = c.Config.Env?.ToList(), Entrypoint = c.Config.Entrypoint?.ToList(), Cmd = c.Config.Cmd?.ToList(),
            Shell = c.Config.Shell?.ToList(), OnBuild = c.Config.OnBuild?.ToList(),
            ExposedPorts = c.Config.ExposedPorts?.ToDictionary(), Volumes = c.Config.Volumes?.ToDictionary(),
            Labels = c.Config.Labels?.ToDictionary(),
            Healthcheck = c.Config.Healthcheck is { } h ? new HealthConfig
            {
                Test = [.. h.Test], Interval = h.Interval, Timeout = h.Timeout, StartPeriod = h.StartPeriod,
                StartInterval = h.StartInterval, Retries = h.Retries,
            } : null,
        },
    };
}
