namespace RuntimeAgent.Build.Mounts;

public enum RunMountType { Bind, Cache, Tmpfs, Secret }

public enum CacheSharing { Shared, Private, Locked }

/// <summary>
/// One <c>RUN --mount=…</c>, BuildKit's options: <c>type=bind|cache|tmpfs|secret</c> (bind by default),
/// <c>target</c> (relative to the WORKDIR), <c>source</c>, <c>from</c>, <c>rw</c>/<c>ro</c>, <c>id</c>,
/// <c>sharing</c>, <c>uid</c>/<c>gid</c>/<c>mode</c> (cache, secret), <c>size</c> (tmpfs), <c>required</c> and <c>env</c>
/// (secret: the value in an environment variable, and no file unless a target is given too).
/// See: https://docs.docker.com/reference/dockerfile/#run---mount
/// </summary>
public sealed record RunMountSpec(RunMountType Type, string Target)
{
    public string? Source { get; init; }
    public string? From { get; init; }
    public string? Id { get; init; }
    public bool ReadWrite { get; init; }
    public CacheSharing Sharing { get; init; }
    public int Uid { get; init; }
    public int Gid { get; init; }
    public int? Mode { get; init; }
    public long? Size { get; init; }
    public bool Required { get; init; }
    /// <summary>A secret's environment variable; its <see cref="Target"/> is empty when it is given as a variable only.</summary>
    public string? Env { get; init; }

    private static readonly Dictionary<RunMountType, string[]> Allowed = new()
    {
        [RunMountType.Bind] = ["source", "from", "rw", "ro"],
        [RunMountType.Cache] = ["id", "sharing", "rw", "ro", "uid", "gid", "mode"],
        [RunMountType.Tmpfs] = ["size"],
        [RunMountType.Secret] = ["id", "required", "env", "uid", "gid", "mode"],
    };

    /// <summary>Parses the text after <c>--mount=</c> (variables already substituted); a problem is a <see cref="FormatException"/>.</summary>
    public static RunMountSpec Parse(string text)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var field in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = field.Split('=', 2);
            var key = Canonical(pair[0].Trim().ToLowerInvariant());
            if (!fields.TryAdd(key, pair.Length > 1 ? pair[1] : null)) throw Invalid(text, $"'{key}' given twice");
        }
        var type = Value(fields, "type") ?? "bind";
        var kind = type switch
        {
            "bind" => RunMountType.Bind, "cache" => RunMountType.Cache, "tmpfs" => RunMountType.Tmpfs, "secret" => RunMountType.Secret,
            "ssh" => throw Invalid(text, "type=ssh is not supported"),
            _ => throw Invalid(text, $"unknown type '{type}' (bind, cache, tmpfs, secret)"),
        };
        fields.Remove("type");
        foreach (var key in fields.Keys)
            if (key != "target" && !Allowed[kind].Contains(key))
                throw Invalid(text, $"unknown option '{key}' for type={type} (target, {string.Join(", ", Allowed[kind])})");

        var id = Value(fields, "id");
        var target = Value(fields, "target");
        var env = Value(fields, "env");
        if (env is not null && !Recipe.RecipeParser.IsName(env)) throw Invalid(text, $"env={env}: not a variable name");
        if (kind == RunMountType.Secret)
        {
            if (string.IsNullOrEmpty(id) && string.IsNullOrEmpty(target)) throw Invalid(text, "a secret needs id= (or target=)");
            id = string.IsNullOrEmpty(id) ? Path.GetFileName(target!.TrimEnd('/')) : id;
            // BuildKit: env= alone gives the variable and no file; a target as well gives both.
            target = !string.IsNullOrEmpty(target) ? target : env is null ? "/run/secrets/" + id : "";
            if (target.Length == 0) return new RunMountSpec(kind, "") { Id = id, Env = env, Required = Flag(fields, "required", text) };
        }
        if (string.IsNullOrEmpty(target)) throw Invalid(text, "target= is required");
        if (kind == RunMountType.Cache && string.IsNullOrEmpty(id)) id = target;
        return new RunMountSpec(kind, target)
        {
            Source = Value(fields, "source"),
            From = Value(fields, "from"),
            Id = id,
            ReadWrite = kind == RunMountType.Cache ? !Flag(fields, "ro", text) : Flag(fields, "rw", text),
            Sharing = Value(fields, "sharing") switch
            {
                null or "shared" => CacheSharing.Shared, "private" => CacheSharing.Private, "locked" => CacheSharing.Locked,
                var other => throw Invalid(text, $"sharing={other}: expected shared, private or locked"),
            },
            Uid = Number(fields, "uid", text) ?? 0,
            Gid = Number(fields, "gid", text) ?? 0,
            Mode = Value(fields, "mode") is { } mode ? Octal(mode, text) : null,
            Size = Value(fields, "size") is { } size ? Bytes(size, text) : null,
            Required = Flag(fields, "required", text),
            Env = env,
        };
    }

    private static string Canonical(string key) => key switch
    {
        "dst" or "destination" => "target",
        "src" => "source",
        "readonly" => "ro",
        "readwrite" => "rw",
        _ => key,
    };

    private static string? Value(Dictionary<string, string?> fields, string key) => fields.GetValueOrDefault(key);

    // `rw`, `rw=true` and `rw=false`, as BuildKit reads boolean options.
    private static bool Flag(Dictionary<string, string?> fields, string key, string text) =>
        fields.TryGetValue(key, out var value) && (value switch
        {
            null or "true" => true,
            "false" => false,
            _ => throw Invalid(text, $"{key}={value}: expected true or false"),
        });

    private static int? Number(Dictionary<string, string?> fields, string key, string text) =>
        Value(fields, key) is not { } value ? null
        : int.TryParse(value, out var number) && number >= 0 ? number
        : throw Invalid(text, $"{key}={value}: expected a number");

    private static int Octal(string value, string text)
    {
        try
        {
            var mode = Convert.ToInt32(value, 8);
            if (mode is >= 0 and <= 0xFFF) return mode;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException) { }
        throw Invalid(text, $"mode={value}: expected an octal mode such as 0755");
    }

    private static long Bytes(string value, string text)
    {
        try { return Run.Isolation.Cgroups.ResourceLimits.Bytes("size", value); }
        catch (Exception e) when (e is FormatException or Run.ContainerSetupException) { throw Invalid(text, e.Message); }
    }

    private static FormatException Invalid(string text, string why) => new($"--mount={text}: {why}");
}
