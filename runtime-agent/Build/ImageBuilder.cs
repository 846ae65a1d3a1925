using System.Text.Json;
using Registry.Oci;
using RuntimeAgent.Build.Context;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Layers;
using RuntimeAgent.Build.Recipe;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build;

/// <summary>
/// Runs a recipe step by step into an OCI image in the agent's store. Each step's cache key chains its
/// parent's key, the instruction text, the ARG values it sees and (COPY/ADD) the copied content; a RUN or
/// COPY whose key has a layer in the store is not executed again. Output: <c>STEP n/m: INSTRUCTION</c>,
/// the command's own output, and <c>CACHED</c> for reused layers.
/// </summary>
public sealed class ImageBuilder(BuildStore store, TextWriter output, string agentPath)
{
    private readonly long fixedTime = TimestampPolicy.DefaultFixedTime();

    public async Task<BuiltImage> BuildAsync(BuildOptions options, CancellationToken ct)
    {
        var references = options.Tags.Select(t => ImageReference.Parse(t).ToString()).ToList();
        if (!File.Exists(options.RecipePath)) throw new FileNotFoundException($"recipe {options.RecipePath} not found");
        var recipe = RecipeParser.Parse(File.ReadAllText(options.RecipePath), DisplayName(options));
        var context = Path.GetFullPath(options.ContextDirectory);
        if (!Directory.Exists(context)) throw new DirectoryNotFoundException($"build context {context} not found");

        store.EnsureCreated();
        using var lease = await FileLock.AcquireAsync(store.Layout.StoreLock, exclusive: false, ct);
        var fileDigests = store.LoadFileDigests();
        var copyStep = new CopyStep(store, context, IgnoreRules.Load(context), fileDigests);
        var runStep = new RunStep(store, agentPath);
        var words = recipe.Words;
        var globalArgs = new Dictionary<string, string>(StringComparer.Ordinal);
        var usedArgs = new HashSet<string>(StringComparer.Ordinal);
        var stages = new List<BuildStage>();
        BuildStage? stage = null;

        for (var index = 0; index < recipe.Instructions.Count; index++)
        {
            var instruction = recipe.Instructions[index];
            output.WriteLine($"STEP {index + 1}/{recipe.Instructions.Count}: {instruction.Text}");
            try
            {
                switch (instruction)
                {
                    case ArgInstruction arg when stage is null:
                        usedArgs.Add(arg.Name);
                        if (ArgValue(arg, options, words, n => globalArgs.GetValueOrDefault(n), null) is { } global) globalArgs[arg.Name] = global;
                        break;
                    case FromInstruction from:
                        stage = await FromAsync(from, words.Expand(from.Image, n => globalArgs.GetValueOrDefault(n)), stages, options, ct);
                        stages.Add(stage);
                        break;
                    case ArgInstruction arg:
                        usedArgs.Add(arg.Name);
                        if (ArgValue(arg, options, words, stage!.Lookup, globalArgs.GetValueOrDefault(arg.Name)) is { } value) stage.Args[arg.Name] = value;
                        Chain(stage, instruction, "");
                        break;
                    case RunInstruction run:
                        await LayerStepAsync(stage!, instruction, "", options.NoCache,
                            () => runStep.RunAsync(stage!, run.Command.ToArgv(), $"{instruction.Location}: RUN", fixedTime, ct));
                        break;
                    case CopyInstruction copy:
                        var prepared = copyStep.Prepare(stage!, copy, words);
                        await LayerStepAsync(stage!, instruction, prepared.ContentHash, options.NoCache,
                            () => copyStep.MakeLayerAsync(prepared, fixedTime, ct));
                        break;
                    default:
                        MetadataInstructions.Apply(stage!, instruction, words);
                        Chain(stage!, instruction, "");
                        stage!.Config.History.Add(new HistoryEntry { Created = Created, CreatedBy = instruction.Text, EmptyLayer = true });
                        break;
                }
            }
            catch (FormatException e)
            {
                throw new RecipeException(instruction.Location, instruction.Keyword, e.Message);
            }
        }

        fileDigests.Save(store.TempDirectory);
        foreach (var unused in options.BuildArgs.Keys.Where(k => !usedArgs.Contains(k)).Order(StringComparer.Ordinal))
            output.WriteLine($"warning: build arg {unused} was given but the recipe declares no ARG {unused}");
        return Publish(stages[^1], references, options.NoCache);
    }

    private async Task LayerStepAsync(BuildStage stage, Instruction instruction, string content, bool noCache, Func<Task<LayerRecord>> make)
    {
        var key = StepKey(stage, instruction, content);
        var layer = noCache ? null : store.FindCached(key);
        if (layer is not null) output.WriteLine($"--> CACHED {instruction.Keyword} {layer.DiffId[..19]}");
        else
        {
            layer = await make();
            store.SaveCached(key, layer);
            output.WriteLine($"--> {layer.DiffId[..19]}");
        }
        stage.CacheKey = key;
        stage.Layers.Add(layer);
        stage.Config.RootFs.DiffIds.Add(layer.DiffId);
        stage.Config.History.Add(new HistoryEntry { Created = Created, CreatedBy = instruction.Text });
    }

    private async Task<BuildStage> FromAsync(FromInstruction from, string image, List<BuildStage> stages, BuildOptions options, CancellationToken ct)
    {
        if (image.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            return new BuildStage { Name = from.StageName, Config = new ImageConfig(), CacheKey = Hash($"scratch\n{fixedTime}") };
        if (stages.LastOrDefault(s => s.Name == image.ToLowerInvariant()) is { } earlier)
            return earlier.StartFrom(from.StageName);

        ResolvedImage resolved;
        try
        {
            resolved = await new ImageStore(store.Layout).ResolveAsync(image, new PullOptions(options.Insecure), ct);
        }
        catch (Exception e) when (e is RegistryException or ImageNotFoundException or HttpRequestException or FormatException)
        {
            throw new BuildFailedException($"{from.Location}: FROM {image}: {e.Message}");
        }
        using (resolved)
        {
            var configBytes = File.ReadAllBytes(store.Layout.BlobPath(Digest.Parse(resolved.Record.ConfigDigest)));
            var config = JsonSerializer.Deserialize(configBytes, OciJsonContext.Relaxed.ImageConfig) ?? new ImageConfig();
            config.RootFs = new RootFs { DiffIds = resolved.Record.Layers.Select(l => l.DiffId).ToList() };
            output.WriteLine($"--> {image}@{resolved.Record.ManifestDigest}");
            return new BuildStage
            {
                Name = from.StageName, Config = config, Layers = [.. resolved.Record.Layers],
                CacheKey = Hash($"FROM\n{resolved.Record.ManifestDigest}\n{fixedTime}"),
            };
        }
    }

    private static string? ArgValue(ArgInstruction arg, BuildOptions options, ShellWords words, Func<string, string?> lookup, string? inherited) =>
        options.BuildArgs.TryGetValue(arg.Name, out var given) ? given
        : arg.Default is { } fallback ? words.Expand(fallback, lookup)
        : inherited;

    private BuiltImage Publish(BuildStage final, IReadOnlyList<string> references, bool noCache)
    {
        // The last step's key names everything the config and manifest are made of (every instruction, the
        // base image, the fixed time), so a rebuild that ends on a known key reuses them without writing JSON.
        var imageKey = Hash($"{final.CacheKey}\nimage");
        var image = noCache ? null : store.FindPublished(imageKey);
        if (image is null)
        {
            image = WriteImage(final);
            store.SavePublished(imageKey, image);
        }
        var (manifestDigest, configDigest) = (image.ManifestDigest.ToString(), image.ConfigDigest.ToString());

        var records = new ImageRecords(store.Layout);
        foreach (var reference in references)
        {
            if (records.Find(ImageReference.Parse(reference)) is { } existing && existing.ManifestDigest == manifestDigest) continue;
            records.Save(new ImageRecord(reference, manifestDigest, manifestDigest, configDigest, final.Layers, DateTimeOffset.UtcNow));
        }
        return new BuiltImage(manifestDigest, configDigest, references);
    }

    private PublishedImage WriteImage(BuildStage final)
    {
        final.Config.Created = Created;
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(final.Config, OciJsonContext.Relaxed.ImageConfig);
        var configDigest = store.PutBlob(configBytes);
        var manifest = new ImageManifest(2, MediaTypes.OciManifest,
            new Descriptor(MediaTypes.OciConfig, configDigest.ToString(), configBytes.Length),
            final.Layers.Select(l => new Descriptor(l.MediaType ?? MediaTypes.OciLayerGzip, l.Digest, l.Size)).ToList());
        var manifestDigest = store.PutBlob(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Relaxed.ImageManifest));
        return new PublishedImage(configDigest, manifestDigest);
    }

    private static void Chain(BuildStage stage, Instruction instruction, string content) => stage.CacheKey = StepKey(stage, instruction, content);

    private static string StepKey(BuildStage stage, Instruction instruction, string content) =>
        Hash($"{stage.CacheKey}\n{instruction.Text}\n{stage.VisibleArgs()}\n{content}");

    private static string Hash(string text) => ShortSha256.HexOf(text);

    private string Created => DateTimeOffset.FromUnixTimeSeconds(fixedTime).ToString("yyyy-MM-ddTHH:mm:ssZ");

    private static string DisplayName(BuildOptions options) => Path.GetFileName(options.RecipePath);
}
