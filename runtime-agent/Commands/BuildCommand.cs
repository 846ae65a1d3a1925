using System.CommandLine;
using RuntimeAgent.Build;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Push;
using RuntimeAgent.Build.Recipe;
using RuntimeAgent.Cli;

namespace RuntimeAgent.Commands;

/// <summary>`build [-t REF]… [-f FILE] [--build-arg K=V]… [--no-cache] [--push] CONTEXT`: a recipe into an image in the store.</summary>
public static class BuildCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var context = new Argument<string>("CONTEXT") { Description = "Build context directory (COPY/ADD sources; .dockerignore honoured)" };
        var tags = new Option<string[]>("--tag", "-t") { Description = "Name the image REF (repeatable), e.g. localhost:5000/org/app:1.0", AllowMultipleArgumentsPerToken = false };
        var file = new Option<string?>("--file", "-f") { Description = "The recipe (default: CONTEXT/Dockerfile, else CONTEXT/Containerfile)" };
        var buildArgs = new Option<string[]>("--build-arg") { Description = "Set an ARG: K=V (repeatable)" };
        var noCache = new Option<bool>("--no-cache") { Description = "Run every step again instead of reusing cached layers" };
        var push = new Option<bool>("--push") { Description = "Push every tag to its registry after the build" };
        var insecure = PullCommand.InsecureOption();
        var command = new Command("build", "Build an image from a Dockerfile-style recipe into the local store")
        {
            context, tags, file, buildArgs, noCache, push, insecure,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var contextDirectory = parse.GetValue(context)!;
            var options = new BuildOptions(contextDirectory, RecipePath(contextDirectory, parse.GetValue(file)), parse.GetValue(tags) ?? [],
                                           ParseBuildArgs(parse.GetValue(buildArgs) ?? []), parse.GetValue(noCache), parse.GetValue(insecure));
            if (parse.GetValue(push) && options.Tags.Count == 0) throw new FormatException("--push needs at least one --tag");
            var layout = globals.Layout(parse);
            var agentPath = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell the agent's own path");
            try
            {
                var built = await new ImageBuilder(new BuildStore(layout), Console.Out, agentPath).BuildAsync(options, ct);
                Console.WriteLine($"Digest: {built.ManifestDigest}");
                foreach (var reference in built.References) Console.WriteLine($"Tagged: {reference}");
                if (parse.GetValue(push))
                    foreach (var reference in built.References)
                        await new ImagePusher(layout, Console.Out).PushAsync(reference, options.Insecure, ct);
                return 0;
            }
            catch (Exception e) when (e is RecipeException or BuildFailedException or FileNotFoundException or DirectoryNotFoundException)
            {
                Console.Error.WriteLine($"runtime-agent: build failed: {e.Message}");
                return e is BuildFailedException failed ? failed.ExitCode : 1;
            }
        }));
        return command;
    }

    private static string RecipePath(string context, string? file)
    {
        if (file is not null) return file;
        var dockerfile = Path.Combine(context, "Dockerfile");
        var containerfile = Path.Combine(context, "Containerfile");
        return File.Exists(dockerfile) || !File.Exists(containerfile) ? dockerfile : containerfile;
    }

    private static Dictionary<string, string> ParseBuildArgs(IEnumerable<string> values)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=');
            // `--build-arg NAME` alone takes the value from the agent's environment, as docker does.
            var name = equals < 0 ? value : value[..equals];
            var given = equals < 0 ? Environment.GetEnvironmentVariable(name) : value[(equals + 1)..];
            if (!RecipeParser.IsName(name)) throw new FormatException($"--build-arg {value}: invalid name");
            if (given is not null) args[name] = given;
        }
        return args;
    }
}
