using System.CommandLine;
using RuntimeAgent.Store;

namespace RuntimeAgent.Cli;

/// <summary>Options every command sees, declared once on the root command.</summary>
public sealed class GlobalOptions
{
    public const string DefaultRoot = "/var/lib/runtime-agent";

    public Option<string> Root { get; } = new("--root")
    {
        Description = "State directory: blob cache, unpacked layers, image records, containers",
        DefaultValueFactory = _ => DefaultRoot,
        Recursive = true,
    };

    /// <summary>The store layout under the chosen --root.</summary>
    public StoreLayout Layout(ParseResult parse) => new(Path.GetFullPath(parse.GetValue(Root)!));
}
