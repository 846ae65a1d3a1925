namespace RuntimeAgent.Build.Recipe;

/// <summary>
/// The flags of COPY and ADD, Dockerfile reference spelling: <c>--from</c>, <c>--chown</c>, <c>--chmod</c>,
/// <c>--link</c>, <c>--parents</c>, <c>--exclude</c> (repeatable) and, on ADD only, <c>--checksum</c>.
/// See: https://docs.docker.com/reference/dockerfile/#copy
/// </summary>
internal sealed class CopyFlags(string keyword)
{
    public string? From { get; private set; }
    public string? Chown { get; private set; }
    public string? Chmod { get; private set; }
    public bool Link { get; private set; }
    public bool Parents { get; private set; }
    public string? Checksum { get; private set; }
    public List<string> Excludes { get; } = [];

    public void Take(string flag)
    {
        var equals = flag.IndexOf('=');
        var name = equals < 0 ? flag : flag[..equals];
        var value = equals < 0 ? null : flag[(equals + 1)..];
        switch (name)
        {
            case "--from": From = Required(name, value); break;
            case "--chown": Chown = Required(name, value); break;
            case "--chmod": Chmod = Required(name, value); break;
            case "--exclude": Excludes.Add(Required(name, value)); break;
            case "--link": Link = Boolean(name, value); break;
            case "--parents": Parents = Boolean(name, value); break;
            case "--checksum" when keyword == "ADD": Checksum = Required(name, value); break;
            case "--keep-git-dir" when keyword == "ADD": throw new FormatException("--keep-git-dir: ADD of git repositories is not supported");
            default:
                throw new FormatException($"unsupported flag {name} (supported: --from, --chown, --chmod, --link, --parents, --exclude{(keyword == "ADD" ? ", --checksum" : "")})");
        }
    }

    private static string Required(string name, string? value) =>
        string.IsNullOrEmpty(value) ? throw new FormatException($"{name} needs a value ({name}=…)") : value;

    private static bool Boolean(string name, string? value) => value switch
    {
        null or "true" => true,
        "false" => false,
        _ => throw new FormatException($"{name}={value}: expected true or false"),
    };
}
