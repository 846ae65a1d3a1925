using System.CommandLine;
using RuntimeAgent.Build;
using RuntimeAgent.Build.Cache;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Push;
using RuntimeAgent.Build.Recipe;
using RuntimeAgent.Cli;

namespace RuntimeAgent.Commands;

/// <summary>
/// `build [-t REF]… [-f FILE|-] [--target STAGE] [--build-arg K=V]… [--label K=V]… [--secret id=ID,src=FILE]…
/// [--iidfile FILE] [--output type=oci,dest=PATH] [--progress auto|tty|plain] [--no-cache] [--push] [--cache-from REF]…
/// [--cache-to REF] CONTEXT`.
/// Every failure ends as one line on stderr, whatever threw it.
/// </summary>
public static class BuildCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var context = new Argument<string>("CONTEXT") { Description = "Build context directory (COPY/ADD sources; .dockerignore honoured)" };
        var tags = new Option<string[]>("--tag", "-t") { Description = "Name the image REF (repeatable), e.g. localhost:5000/org/app:1.0", AllowMultipleArgumentsPerToken = false };
        var file = new Option<string?>("--file", "-f") { Description = "The recipe (default: CONTEXT/Dockerfile, else CONTEXT/Containerfile; - reads it from stdin)" };
        var target = new Option<string?>("--target") { Description = "Build this stage (and what it needs) instead of the last" };
        var buildArgs = new Option<string[]>("--build-arg") { Description = "Set an ARG: K=V (repeatable)" };
        var labels = new Option<string[]>("--label") { Description = "Add a label to the image: K=V (repeatable)" };
        var secrets = new Option<string[]>("--secret") { Description = "A secret for RUN --mount=type=secret: id=ID,src=FILE (repeatable; never stored in the image)" };
        var iidFile = new Option<string?>("--iidfile") { Description = "Write the image ID (config digest) to this file" };
        var outputs = new Option<string?>("--output", "-o") { Description = "Also export the image: type=oci,dest=PATH (a tar; tar=false for a layout directory)" };
        var progress = ProgressStyles.Option(); // step lines either way; a FROM image's pull as bars or lines
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the result (digest, tags): no step lines, no pull progress" };
        var noCache = new Option<bool>("--no-cache") { Description = "Run every step again instead of reusing cached layers" };
        var push = new Option<bool>("--push") { Description = "Push every tag to its registry after the build" };
        var cacheFrom = new Option<string[]>("--cache-from") { Description = "Reuse steps from a build cache in a registry: REF or type=registry,ref=REF (repeatable)" };
        var cacheTo = new Option<string?>("--cache-to") { Description = "Export this build's steps as a cache to a registry: REF or type=registry,ref=REF[,mode=max]" };
        var insecure = PullCommand.InsecureOption();
        var snapshotter = new Option<string?>("--snapshotter")
        {
            Description = "How RUN steps' roots are stacked: overlay or fuse-overlayfs (default: as for run — overlay; rootless: overlay with userxattr, or fuse-overlayfs where the kernel's cannot be mounted)",
        };
        snapshotter.AcceptOnlyFromAmong(Snapshots.SnapshotterNames.All);
        var command = new Command("build", "Build an image from a Dockerfile-style recipe into the local store")
        {
            context, tags, file, target, buildArgs, labels, secrets, iidFile, outputs, progress, quiet, noCache, push, insecure, cacheFrom, cacheTo, snapshotter,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            try
            {
                var contextDirectory = parse.GetValue(context)!;
                var recipeFile = parse.GetValue(file);
                var export = parse.GetValue(outputs) is { } spec ? OciExport.Parse(spec) : null;
                var options = new BuildOptions(contextDirectory, RecipePath(contextDirectory, recipeFile), parse.GetValue(tags) ?? [],
                                               Pairs("--build-arg", parse.GetValue(buildArgs) ?? [], fromEnvironment: true), parse.GetValue(noCache), parse.GetValue(insecure))
                {
                    RecipeText = recipeFile == "-" ? await Console.In.ReadToEndAsync(ct) : null,
                    Target = parse.GetValue(target),
                    Labels = Pairs("--label", parse.GetValue(labels) ?? [], fromEnvironment: false),
                    Secrets = SecretFiles(parse.GetValue(secrets) ?? []),
                    CacheFrom = (parse.GetValue(cacheFrom) ?? []).Select(c => CacheReference.Parse("--cache-from", c)).ToList(),
                    CacheTo = parse.GetValue(cacheTo) is { } to ? CacheReference.Parse("--cache-to", to) : null,
                    Progress = parse.GetValue(quiet) ? ProgressStyle.Plain : ProgressStyles.Parse(parse.GetValue(progress)),
                    Snapshotter = parse.GetValue(snapshotter) is { } named ? RunStep.Supported(Snapshots.SnapshotterNames.Parse(named)) : null,
                };
                if (parse.GetValue(push) && options.Tags.Count == 0) throw new FormatException("--push needs at least one --tag");
                var layout = globals.Layout(parse);
                var agentPath = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell the agent's own path");
                var built = await new ImageBuilder(new BuildStore(layout), parse.GetValue(quiet) ? TextWriter.Null : new LiveLineWriter(Console.Out), agentPath).BuildAsync(options, ct);
                Console.WriteLine($"Digest: {built.ManifestDigest}");
                foreach (var reference in built.References) Console.WriteLine($"Tagged: {reference}");
                if (parse.GetValue(iidFile) is { } iid) await File.WriteAllTextAsync(iid, built.ConfigDigest, ct);
                if (export is not null) export.Write(layout, built, options.Tags);
                if (parse.GetValue(push))
                    foreach (var reference in built.References)
                        await ProgressDisplay.PushAsync(options.Progress, parse.GetValue(quiet) ? null : Console.Out,
                            progress => new ImagePusher(layout, progress).PushAsync(reference, options.Insecure, ct));
                return 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("runtime-agent: build failed: cancelled");
                return 130;
            }
            catch (Exception e)
            {
                // The top-level guard: whatever threw, the user gets one line (the step's location when known), no stack trace.
                var message = e is RecipeException or BuildFailedException or FileNotFoundException or DirectoryNotFoundException
                              or FormatException or IOException or UnauthorizedAccessException or HttpRequestException
                    ? e.Message : $"internal error ({e.GetType().Name}): {e.Message}";
                Console.Error.WriteLine($"runtime-agent: build failed: {message}");
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

    private static Dictionary<string, string> Pairs(string option, IEnumerable<string> values, bool fromEnvironment)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=');
            // `--build-arg NAME` alone takes the value from the agent's environment, as docker does.
            var name = equals < 0 ? value : value[..equals];
            var given = equals >= 0 ? value[(equals + 1)..] : fromEnvironment ? Environment.GetEnvironmentVariable(name)
                        : throw new FormatException($"{option} {value}: expected KEY=VALUE");
            if (fromEnvironment ? !RecipeParser.IsName(name) : name.Length == 0) throw new FormatException($"{option} {value}: invalid name");
            if (given is not null) pairs[name] = given;
        }
        return pairs;
    }

    private static Dictionary<string, string> SecretFiles(IEnumerable<string> values)
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var fields = value.Split(',').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f.Length > 1 ? f[1] : "");
            if (!fields.TryGetValue("id", out var id) || id.Length == 0) throw new FormatException($"--secret {value}: expected id=ID,src=FILE");
            var source = fields.GetValueOrDefault("src") ?? fields.GetValueOrDefault("source") ?? throw new FormatException($"--secret {value}: expected id=ID,src=FILE");
            if (!File.Exists(source)) throw new FileNotFoundException($"--secret {id}: {source} not found");
            secrets[id] = Path.GetFullPath(source);
        }
        return secrets;
    }
}
