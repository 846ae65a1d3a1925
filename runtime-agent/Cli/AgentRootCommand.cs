using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;

namespace RuntimeAgent.Cli;

/// <summary>
/// The agent's root command. Not System.CommandLine's RootCommand: its constructor builds the built-in
/// --help and --version options, whose descriptions are read through a ResourceManager right then, about a
/// tenth of a cached `run`'s CPU time on this VM and spent on every start. The same two options are declared
/// here with literal descriptions, and a parse error prints the errors and then the command's help, as
/// RootCommand does; System.CommandLine's own resources are read only when help is printed.
/// </summary>
public static class AgentRootCommand
{
    public static Command Create(string description)
    {
        var root = new Command("runtime-agent", description);
        root.Options.Add(new Option<bool>("--help", "-h", "-?")
        {
            Description = "Show help and usage information",
            Arity = ArgumentArity.Zero,
            Recursive = true,
            Action = new HelpAction(),
        });
        root.Options.Add(new Option<bool>("--version")
        {
            Description = "Show version information",
            Arity = ArgumentArity.Zero,
            Action = new VersionAction(),
        });
        return root;
    }

    /// <summary>Invokes the parsed command; on a parse error prints the errors, then help for the command reached.</summary>
    public static async Task<int> InvokeAsync(ParseResult parse)
    {
        if (parse.Errors.Count == 0) return await parse.InvokeAsync();
        var error = parse.InvocationConfiguration.Error;
        foreach (var message in parse.Errors) error.WriteLine(message.Message);
        error.WriteLine();
        new HelpAction().Invoke(parse);
        return 1;
    }

    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var version = typeof(AgentRootCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>();
            parseResult.InvocationConfiguration.Output.WriteLine(version?.InformationalVersion ?? "unknown");
            return 0;
        }
    }
}
