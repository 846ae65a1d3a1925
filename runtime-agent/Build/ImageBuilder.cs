using System.Text.Json;
using Registry.Oci;
using RuntimeAgent.Build.Cache;
using RuntimeAgent.Build.Context;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Layers;
using RuntimeAgent.Build.Recipe;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build;

/// <summary>
/// Runs a recipe into an OCI image in the agent's store: the stages the target needs, in order, each step's
/// cache key chaining its parent's key, the instruction text, the ARG values it sees and (COPY/ADD) the copied
/// content; a step whose key has a layer in the store is not executed again. Output: <c>STEP n/m: INSTRUCTION</c>,
/// the command's own output, and <c>CACHED</c> for reused layers.
/// </summary>
public sealed class ImageBuilder(BuildStore store, TextWriter output, string agentPath)
{
    private readonly long fixedTime = TimestampPolicy.DefaultFixedTime();

    public async Task<BuiltImage> BuildAsync(BuildOptions options, CancellationToken ct)
    {
        var references = options.Tags.Select(t => ImageReference.Parse(t).ToString()).ToList();
        var recipe = RecipeParser.Parse(options.RecipeText ?? ReadRecipe(options.RecipePath), DisplayName(options));
        var context = Path.GetFullPath(options.ContextDirectory);
        if (!Directory.Exists(context)) throw new DirectoryNotFoundException($"build context {context} not found");
        var plan = StagePlan.Of(recipe);
        var target = plan.Target(options.Target);

        store.EnsureCreated();
        using var lease = await FileLock.AcquireAsync(store.Layout.StoreLock, exclusive: false, ct);
        var fileDigests = store.LoadFileDigests();
        var gate = new StageGate();
        var remoteCaches = await OpenCachesAsync(options, ct);
        using var closeCaches = new DisposeAll(remoteCaches);
        var session = new BuildSession
        {
            Store = store, Output = output, Options = options, Plan = plan, Words = recipe.Words, FixedTime = fixedTime,
            CopyStep = new CopyStep(store, context, IgnoreRules.Load(context), fileDigests), RunStep = new RunStep(store, agentPath, gate, output, options.Snapshotter),
            Gate = gate, RemoteCaches = remoteCaches,
        };
        foreach (var arg in plan.GlobalArgs)
        {
            session.UsedArgs.Add(arg.Name);
            // A global ARG without a default and without --build-arg stays unset (a predefined platform ARG keeps its value).
            if (session.ArgValue(arg, session.GlobalLookup, session.GlobalArgs.GetValueOrDefault(arg.Name)) is { } value) session.GlobalArgs[arg.Name] = value;
            else session.GlobalArgs.Remove(arg.Name);
        }

        var needed = plan.Needed(target, text => session.Words.Expand(text, session.GlobalLookup));
        foreach (var skipped in plan.Stages.Where(s => !needed.Contains(s)))
            output.WriteLine($"skipping stage {skipped.Display}: the target does not need it");
        var stages = new StageBuilder(session) { TotalSteps = needed.Sum(s => s.Body.Count + 1) };
        var built = await BuildStagesAsync(stages, needed, gate, ct);

        fileDigests.Save(store.TempDirectory);
        foreach (var unused in options.BuildArgs.Keys.Where(k => !session.UsedArgs.Contains(k)).Order(StringComparer.Ordinal))
            output.WriteLine($"warning: build arg {unused} was given but the recipe declares no ARG {unused}");
        var final = built.Result(target);
        ApplyLabels(final, options.Labels, session);
        var image = Publish(final, references, options.NoCache);
        if (options.CacheTo is { } cacheTo) await CacheExporter.ExportAsync(cacheTo, session.Steps, store, options.Insecure, options.Progress, output, ct);
        return image;
    }

    private async Task<List<RegistryStepCache>> OpenCachesAsync(BuildOptions options, CancellationToken ct)
    {
        var caches = new List<RegistryStepCache>();
        if (options.NoCache) return caches;
        foreach (var reference in options.CacheFrom)
            if (await RegistryStepCache.OpenAsync(reference, store.Layout, options.Insecure, output, ct) is { } cache) caches.Add(cache);
        return caches;
    }

    private sealed class DisposeAll(IEnumerable<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
        }
    }

    /// <summary>
    /// Every needed stage starts at once and takes turns at the gate (see <see cref="StageGate"/>): independent
    /// stages' commands run in parallel. The first failure cancels the others and is the one reported.
    /// </summary>
    private static async Task<BuiltStages> BuildStagesAsync(StageBuilder stages, IReadOnlyList<StageRecipe> needed, StageGate gate, CancellationToken ct)
    {
        var built = new BuiltStages(gate);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await gate.EnterAsync(ct); // no stage starts before every task is registered
        try
        {
            foreach (var stage in needed) built.Add(stage.Index, BuildOneAsync(stage));
        }
        finally
        {
            gate.Exit();
        }
        try
        {
            await Task.WhenAll(built.All);
        }
        catch (Exception first)
        {
            var cause = built.All.Select(t => t.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) ?? first;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
        }
        return built;

        async Task<BuildStage> BuildOneAsync(StageRecipe stage)
        {
            await gate.EnterAsync(failed.Token);
            try
            {
                return await stages.BuildAsync(stage, built, failed.Token);
            }
            catch
            {
                await failed.CancelAsync();
                throw;
            }
            finally
            {
                gate.Exit();
            }
        }
    }

    private static string ReadRecipe(string path) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"recipe {path} not found");

    // --label: set on the final image after its last step, and part of the image key.
    private static void ApplyLabels(BuildStage final, IReadOnlyDictionary<string, string> labels, BuildSession session)
    {
        if (labels.Count == 0) return;
        final.Runtime.Labels ??= [];
        foreach (var (key, value) in labels) final.Runtime.Labels[key] = value;
        final.CacheKey = session.Hash($"{final.CacheKey}\nlabels\n{string.Join('\n', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))}");
    }

    private BuiltImage Publish(BuildStage final, IReadOnlyList<string> references, bool noCache)
    {
        // The last step's key names everything the config and manifest are made of (every instruction, the
        // base image, the fixed time), so a rebuild that ends on a known key reuses them without writing JSON.
        var imageKey = ShortSha256.HexOf($"{final.CacheKey}\nimage");
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
        return new BuiltImage(manifestDigest, configDigest, references, final.Layers);
    }

    private PublishedImage WriteImage(BuildStage final)
    {
        final.Config.Created = DateTimeOffset.FromUnixTimeSeconds(fixedTime).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(final.Config, OciJsonContext.Relaxed.ImageConfig);
        var configDigest = store.PutBlob(configBytes);
        var manifest = new ImageManifest(2, MediaTypes.OciManifest,
            new Descriptor(MediaTypes.OciConfig, configDigest.ToString(), configBytes.Length),
            final.Layers.Select(l => new Descriptor(l.MediaType ?? MediaTypes.OciLayerGzip, l.Digest, l.Size)).ToList());
        var manifestDigest = store.PutBlob(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Relaxed.ImageManifest));
        return new PublishedImage(configDigest, manifestDigest);
    }

    private static string DisplayName(BuildOptions options) => options.RecipeText is null ? Path.GetFileName(options.RecipePath) : "Dockerfile (stdin)";
}
