using System.CommandLine;
using RuntimeAgent.Store;

namespace RuntimeAgent.Cli;

/// <summary>Options every command sees, declared once on the root command.</summary>
public sealed class GlobalOptions
{
    public const string DefaultRoot = "/var/lib/runtime-agent";

    /// <summary>--root's default: <see cref="DefaultRoot"/>, or the user's data directory for an ordinary user's (rootless) agent.</summary>
    public static string DefaultRootPath() => Run.UserNamespaces.RootlessMode.Active ? Run.UserNamespaces.RootlessMode.DefaultRoot() : DefaultRoot;

    public Option<string> Root { get; } = new("--root")
    {
        Description = "State directory: blob cache, unpacked layers, image records, containers (default /var/lib/runtime-agent; for an ordinary user $XDG_DATA_HOME/runtime-agent or ~/.local/share/runtime-agent)",
        // An ordinary user's agent keeps its state in the user's home (rootless mode).
        DefaultValueFactory = _ => DefaultRootPath(),
        Recursive = true,
    };

    /// <summary>The store layout under the chosen --root.</summary>
    public StoreLayout Layout(ParseResult parse) => new(Path.GetFullPath(parse.GetValue(Root)!));
}
