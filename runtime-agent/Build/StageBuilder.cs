using System.Text.Json;
using Registry.Oci;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Mounts;
using RuntimeAgent.Build.Recipe;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build;

/// <summary>
/// Runs one stage's instructions: FROM (scratch, an earlier stage or an image, then its ONBUILD triggers), then
/// each step, reusing cached layers. Every failure leaves as one line naming file, line and instruction.
/// </summary>
internal sealed class StageBuilder(BuildSession build)
{
    private int step;

    public int TotalSteps { get; set; }

    public async Task<BuildStage> BuildAsync(StageRecipe recipe, BuiltStages built, CancellationToken ct)
    {
        BuildStage? stage = null;
        await GuardAsync(recipe.From, async () => stage = await FromAsync(recipe, built, ct));
        var triggers = stage!.Runtime.OnBuild ?? [];
        stage.Runtime.OnBuild = null; // triggers run once, in the image that uses this one as a base
        foreach (var trigger in triggers)
        {
            var instruction = RecipeParser.ParseTrigger(trigger, recipe.From.Location, build.Words);
            Say($"ONBUILD (from the base image): {instruction.Text}");
            await GuardAsync(instruction, () => ExecuteAsync(stage, instruction, built, ct));
        }
        foreach (var instruction in recipe.Body)
        {
            ct.ThrowIfCancellationRequested(); // another stage failed
            Say($"STEP {++step}/{TotalSteps}: {instruction.Text}");
            await GuardAsync(instruction, () => ExecuteAsync(stage, instruction, built, ct));
        }
        return stage;
    }

    private void Say(string line) => build.Output.WriteLine(line);

    /// <summary>Turns anything an instruction throws into one line naming it; only cancellation passes through.</summary>
    private static async Task GuardAsync(Instruction instruction, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is not (BuildFailedException or RecipeException or OperationCanceledException))
        {
            var problem = e is FormatException or IOException or UnauthorizedAccessException or RegistryException or ImageNotFoundException
                          or HttpRequestException ? e.Message : $"internal error ({e.GetType().Name}): {e.Message}";
            throw new RecipeException(instruction.Location, instruction.Keyword, problem);
        }
    }

    private async Task<BuildStage> FromAsync(StageRecipe recipe, BuiltStages built, CancellationToken ct)
    {
        var from = recipe.From;
        Say($"STEP {++step}/{TotalSteps}: {from.Text}");
        if (from.Platform is { } raw && build.Words.Expand(raw, build.GlobalLookup) is var platform && platform != BuildSession.HostPlatform)
            throw new FormatException($"--platform={platform}: only the build host's platform ({BuildSession.HostPlatform}) can be built here");
        var image = build.Words.Expand(from.Image, build.GlobalLookup);
        if (image.Length == 0) throw new FormatException($"'{from.Image}' expands to an empty image name");
        if (image.Equals("scratch", StringComparison.OrdinalIgnoreCase))
        {
            // As BuildKit and buildah do, an image built from scratch gets the default PATH in its config.
            var empty = new ImageConfig { Config = new RuntimeConfig { Env = [BuildStage.DefaultPath] } };
            return new BuildStage { Name = from.StageName, Index = recipe.Index, Config = empty, CacheKey = build.Hash($"scratch\n{build.FixedTime}") };
        }
        if (build.Plan.Referenced(image, recipe.Index, allowIndex: false) is { } earlier)
            return (await built.GetAsync(earlier)).StartFrom(from.StageName, recipe.Index);

        using var resolved = await build.ResolveImageAsync(image, ct);
        var configBytes = File.ReadAllBytes(build.Store.Layout.BlobPath(Digest.Parse(resolved.Record.ConfigDigest)));
        var config = JsonSerializer.Deserialize(configBytes, OciJsonContext.Relaxed.ImageConfig) ?? new ImageConfig();
        config.RootFs = new RootFs { DiffIds = resolved.Record.Layers.Select(l => l.DiffId).ToList() };
        Say($"--> {image}@{resolved.Record.ManifestDigest}");
        return new BuildStage
        {
            Name = from.StageName, Index = recipe.Index, Config = config, Layers = [.. resolved.Record.Layers],
            CacheKey = build.Hash($"FROM\n{resolved.Record.ManifestDigest}\n{build.FixedTime}"),
        };
    }

    private async Task ExecuteAsync(BuildStage stage, Instruction instruction, BuiltStages built, CancellationToken ct)
    {
        switch (instruction)
        {
            case ArgInstruction arg:
                build.UsedArgs.Add(arg.Name);
                if (build.ArgValue(arg, stage.Lookup, build.GlobalArgs.GetValueOrDefault(arg.Name)) is { } value) stage.Args[arg.Name] = value;
                stage.CacheKey = build.StepKey(stage, instruction, "");
                break;
            case RunInstruction run:
                await RunAsync(stage, run, built, ct);
                break;
            case WorkdirInstruction:
                MetadataInstructions.Apply(stage, instruction, build.Words);
                if (build.CopyStep.WorkdirLayer(stage) is { } makeDirectory)
                    await build.LayerStepAsync(stage, instruction, "", time => makeDirectory(time, ct), ct);
                else Unchanged(stage, instruction);
                break;
            case CopyInstruction copy:
                using (var origin = await OriginAsync(stage, copy.From, built, ct))
                {
                    using var prepared = await build.CopyStep.PrepareAsync(stage, copy, build.Words, origin?.Origin, ct);
                    await build.LayerStepAsync(stage, instruction, prepared.ContentHash, time => prepared.MakeLayerAsync(time, ct), ct);
                }
                break;
            default:
                MetadataInstructions.Apply(stage, instruction, build.Words);
                Unchanged(stage, instruction);
                break;
        }
    }

    /// <summary>An instruction that changed the config only: its key and an empty-layer history entry.</summary>
    private void Unchanged(BuildStage stage, Instruction instruction)
    {
        stage.CacheKey = build.StepKey(stage, instruction, "");
        stage.Config.History.Add(new HistoryEntry { Created = build.Created, CreatedBy = instruction.Text, EmptyLayer = true });
    }

    /// <summary>RUN: its --mount sources are resolved (and held) first, since a bind's content is part of the step's key.</summary>
    private async Task RunAsync(BuildStage stage, RunInstruction run, BuiltStages built, CancellationToken ct)
    {
        var origins = new List<HeldOrigin?>();
        try
        {
            var resolved = new List<ResolvedRunMount>();
            foreach (var raw in run.Mounts)
            {
                var spec = RunMountSpec.Parse(build.Words.Expand(raw, stage.Lookup));
                var origin = spec.Type == RunMountType.Bind ? await OriginAsync(stage, spec.From, built, ct) : null;
                origins.Add(origin);
                resolved.Add(new ResolvedRunMount(spec, origin?.Origin));
            }
            var mounts = new RunMountSet(resolved, build.Store, build.CopyStep, build.Options.Secrets, stage.WorkingDir);
            await build.LayerStepAsync(stage, run, mounts.CacheKeyContent(),
                time => build.RunStep.RunAsync(stage, run.Command.ToArgv(stage.Runtime.Shell), $"{run.Location}: RUN", time, ct,
                                               privateNetwork: run.Network == "none", mounts), ct);
        }
        finally
        {
            foreach (var origin in origins) origin?.Dispose();
        }
    }

    /// <summary>A held COPY --from source; an image's lease lasts until the copy is done.</summary>
    private sealed record HeldOrigin(CopyOrigin Origin, IDisposable? Lease) : IDisposable
    {
        public void Dispose() => Lease?.Dispose();
    }

    /// <summary>What a COPY --from or RUN --mount from= names: an earlier stage, or an image (held until disposed); null for the context.</summary>
    private async Task<HeldOrigin?> OriginAsync(BuildStage stage, string? from, BuiltStages built, CancellationToken ct)
    {
        if (from is null) return null;
        var value = build.Words.Expand(from, stage.Lookup);
        if (value.Length == 0) throw new FormatException($"--from={from} expands to nothing");
        if (build.Plan.Referenced(value, stage.Index, allowIndex: true) is { } source)
        {
            var other = await built.GetAsync(source);
            return new HeldOrigin(new CopyOrigin(other.Layers, "stage\n" + other.CacheKey), null);
        }
        if (int.TryParse(value, out _))
            throw new FormatException($"--from={value}: there is no stage {value} before this one");
        if (value.Equals("scratch", StringComparison.OrdinalIgnoreCase)) throw new FormatException("--from=scratch: scratch has no files to copy");
        var resolved = await build.ResolveImageAsync(value, ct);
        return new HeldOrigin(new CopyOrigin(resolved.Record.Layers, "image\n" + resolved.Record.ManifestDigest), resolved);
    }
}
