using System.CommandLine;
using RuntimeAgent.Store;

namespace RuntimeAgent.Cli;

/// <summary>Options every command sees, declared once on the root command.</summary>
public sealed class GlobalOptions
{
    public const string DefaultRoot = "/var/lib/runtime-agent";

    public Option<string> Root { get; } = new("--root")
    {
        Description = "State directory: blob cache, unpacked layers, image records, containers (default /var/lib/runtime-agent; for an ordinary user $XDG_DATA_HOME/runtime-agent or ~/.local/share/runtime-agent)",
        // An ordinary user's agent keeps its state in the user's home (rootless mode).
        DefaultValueFactory = _ => Run.UserNamespaces.RootlessMode.Active ? Run.UserNamespaces.RootlessMode.DefaultRoot() : DefaultRoot,
        Recursive = true,
    };

    /// <summary>The store layout under the chosen --root.</summary>
    public StoreLayout Layout(ParseResult parse) => new(Path.GetFullPath(parse.GetValue(Root)!));
}
