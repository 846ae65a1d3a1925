using Registry.Oci;
using System.Text.Json;
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
    public required ImageConfig Config { get; init; }
    public List<LayerRecord> Layers { get; init; } = [];
    public required string CacheKey { get; set; }
    public Dictionary<string, string> Args { get; } = new(StringComparer.Ordinal);

    /// <summary>Set once this stage has its own CMD: ENTRYPOINT then no longer drops it.</summary>
    public bool CmdSetInStage { get; set; }

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
            env.Add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        return env;
    }

    /// <summary>The ARG values this stage's instructions can see, in a stable order (part of each cache key).</summary>
    public string VisibleArgs() => string.Join('\n', Args.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));

    /// <summary>A new stage starting where this one ends (<c>FROM earlier-stage</c>): same image, no ARGs.</summary>
    public BuildStage StartFrom(string? name)
    {
        var copy = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(Config, OciJsonContext.Relaxed.ImageConfig),
                                              OciJsonContext.Relaxed.ImageConfig)!;
        return new BuildStage { Name = name, Config = copy, Layers = [.. Layers], CacheKey = CacheKey };
    }
}
