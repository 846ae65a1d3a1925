using System.Text;
using RuntimeAgent.Build.Context;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Layers;
using RuntimeAgent.Build.Recipe;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build;

/// <summary>Where a COPY --from takes its files: the merged layers of a stage or image, and the key that fixes their content.</summary>
internal sealed record CopyOrigin(IReadOnlyList<LayerRecord> Layers, string ContentKey);

/// <summary>COPY/ADD: plans the files (their content is part of the cache key) and makes their layer.</summary>
internal sealed class CopyStep(BuildStore store, string contextDirectory, IgnoreRules rules, FileDigestCache fileDigests)
{
    /// <summary>
    /// The key material of a COPY, computed before the cache is asked, and how to make its layer on a miss; disposing
    /// it removes what an ADD downloaded.
    /// </summary>
    public sealed record Prepared(string ContentHash, Func<long, CancellationToken, Task<LayerRecord>> MakeLayerAsync) : IDisposable
    {
        public string? Scratch { get; init; }
        public void Dispose() { if (Scratch is not null) BuildStore.DeleteTree(Scratch); }
    }

    public string ContextDirectory => contextDirectory;

    /// <summary>The content hash of a context path and everything below it (.dockerignore applied), as a COPY of it would be keyed.</summary>
    public string ContextHash(string source) =>
        CopyPlanner.Hash(CopyPlanner.Plan(new ContextSource(contextDirectory, rules), [source], "/mount/", destinationIsDirectoryInImage: true), fileDigests);

    private sealed record Plan(IReadOnlyList<CopyItem> Items, CopyOwnership Owner, LayerView Image)
    {
        public IReadOnlyList<CopyItem> Downloads { get; init; } = [];
        public IReadOnlyList<string> Archives { get; init; } = [];
        public string ArchiveDirectory { get; init; } = "/";
    }

    public async Task<Prepared> PrepareAsync(BuildStage stage, CopyInstruction copy, ShellWords words, CopyOrigin? origin, CancellationToken ct)
    {
        if (origin is null)
        {
            // Context files: their bytes are the key, so the plan is made (and the files hashed) now.
            var context = new ContextSource(contextDirectory, rules);
            if (copy.Keyword != "ADD") return Keyed(MakePlan(stage, copy, words, context), "");
            var expanded = copy.Sources.Select(s => s.StartsWith("<<", StringComparison.Ordinal) ? s : words.Expand(s, stage.Lookup)).ToList();
            var add = await AddSources.SortAsync(expanded, copy.Checksum is null ? null : words.Expand(copy.Checksum, stage.Lookup), context, store, ct);
            try
            {
                var plan = MakePlan(stage, copy, words, context, add);
                return Keyed(plan, add.IsEmpty ? "" : add.Hash(plan.ArchiveDirectory, fileDigests)) with { Scratch = add.Scratch };
            }
            catch
            {
                if (add.Scratch is not null) BuildStore.DeleteTree(add.Scratch);
                throw;
            }
        }
        if (copy.Checksum is not null) throw new FormatException("--checksum applies to a URL source only");
        // A stage or image is fixed by its key: nothing is read unless the step has to run.
        var source = new ImageSource(new LayerView(origin.Layers.Select(store.LayerDirectory).Reverse().ToList()));
        return new Prepared($"from\n{origin.ContentKey}", (time, ct) => MakeLayerAsync(MakePlan(stage, copy, words, source), time, ct));
    }

    private Prepared Keyed(Plan plan, string more) =>
        new(CopyPlanner.Hash(plan.Items, fileDigests) + more, (time, ct) => MakeLayerAsync(plan, time, ct));

    private Plan MakePlan(BuildStage stage, CopyInstruction copy, ShellWords words, CopySource source, AddSources? add = null)
    {
        var image = new LayerView(stage.Layers.Select(store.LayerDirectory).Reverse().ToList());
        var sources = add?.Plain ?? copy.Sources.Select(s => s.StartsWith("<<", StringComparison.Ordinal) ? s : words.Expand(s, stage.Lookup)).ToList();
        var destination = words.Expand(copy.Destination, stage.Lookup);
        var target = image.Resolve(PathText.InImage(stage.WorkingDir, destination));
        var asDirectory = destination.EndsWith('/') || destination is "." ? (target == "/" ? "/" : target + "/") : target;
        var inline = copy.Heredocs.ToDictionary(
            h => copy.Sources.First(s => s.StartsWith("<<", StringComparison.Ordinal) && LogicalLines.Markers(s) is [var m] && m.Name == h.Name),
            h => Encoding.UTF8.GetBytes(h.Expand ? words.ExpandVariables(h.Content, stage.Lookup) : h.Content));
        var shape = new CopyShape(inline, copy.Excludes.Select(e => words.Expand(e, stage.Lookup)).ToList(), copy.Parents);
        var items = sources.Count == 0 ? [] : CopyPlanner.Plan(source, sources, asDirectory, image.IsDirectory(target), shape);
        var owner = Ownership(copy.Chown is null ? null : words.Expand(copy.Chown, stage.Lookup),
                              copy.Chmod is null ? null : words.Expand(copy.Chmod, stage.Lookup), image);
        if (add is null || add.IsEmpty) return new Plan(items, owner, image);
        // Docker: a URL's file is 0600; with one source and no trailing '/', the destination names the file.
        var intoDirectory = asDirectory.EndsWith('/') || copy.Sources.Count > 1 || image.IsDirectory(target);
        var downloads = add.Downloads.Select(d =>
            new CopyItem(d.HostPath, intoDirectory ? (target == "/" ? "" : target) + "/" + d.Name : target, CopyKind.File, (UnixFileMode)0x180, null)).ToList();
        return new Plan(items, owner, image) { Downloads = downloads, Archives = add.Archives, ArchiveDirectory = target };
    }

    /// <summary>
    /// WORKDIR of a directory the image lacks: a layer that creates it (and missing parents), owned by the stage's
    /// USER as BuildKit and buildah make it. Null when the image already has it: WORKDIR then only changes the config.
    /// </summary>
    public Func<long, CancellationToken, Task<LayerRecord>>? WorkdirLayer(BuildStage stage)
    {
        var image = new LayerView(stage.Layers.Select(store.LayerDirectory).Reverse().ToList());
        var directory = image.Resolve(stage.WorkingDir);
        if (directory == "/" || image.IsDirectory(directory)) return null;
        var user = stage.Runtime.User is { Length: > 0 } name ? name : null;
        var item = new CopyItem(null, directory, CopyKind.Directory, (UnixFileMode)0x1ED, null);
        return (time, ct) => MakeLayerAsync(new Plan([item], Ownership(user, null, image), image), time, ct);
    }

    private async Task<LayerRecord> MakeLayerAsync(Plan plan, long fixedTime, CancellationToken ct)
    {
        var staging = store.NewTempDirectory("copy");
        try
        {
            CopyStager.Stage(plan.Items, staging, plan.Owner, plan.Image);
            CopyStager.Stage(plan.Downloads, staging, plan.Owner, plan.Image);
            if (plan.Archives.Count > 0) CopyStager.EnsureDirectory(staging, plan.ArchiveDirectory, plan.Image, plan.Owner);
            foreach (var archive in plan.Archives) AddArchive.Extract(archive, staging, plan.ArchiveDirectory, plan.Image, Path.GetFileName(archive));
            var blob = LayerTarWriter.Write(staging, TimestampPolicy.AllFixed(fixedTime), store.TempDirectory);
            return await store.PublishLayerAsync(blob, staging, ct);
        }
        finally
        {
            BuildStore.DeleteTree(staging);
        }
    }

    private static CopyOwnership Ownership(string? chown, string? chmod, LayerView image)
    {
        UnixFileMode? mode = null;
        if (chmod is not null)
        {
            try { mode = (UnixFileMode)Convert.ToInt32(chmod, 8); }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException) { mode = null; }
            if (mode is null || (int)mode > 0xFFF) throw new FormatException($"--chmod={chmod}: expected an octal mode such as 0755");
        }
        if (chown is null) return new CopyOwnership(0, 0, mode);
        var parts = chown.Split(':');
        if (parts.Length > 2 || parts[0].Length == 0) throw new FormatException($"--chown={chown}: expected USER[:GROUP]");
        var uid = Id(parts[0], "/etc/passwd", image, chown);
        var gid = parts.Length == 2 ? Id(parts[1], "/etc/group", image, chown)
                  : int.TryParse(parts[0], out _) ? uid : PrimaryGroup(parts[0], image, chown);
        return new CopyOwnership(uid, gid, mode) { Explicit = true };
    }

    // Names are looked up in the image's own /etc/passwd and /etc/group, never the build host's.
    private static int Id(string nameOrId, string database, LayerView image, string chown)
    {
        if (int.TryParse(nameOrId, out var id) && id >= 0) return id;
        var line = DatabaseLine(nameOrId, database, image)
            ?? throw new FormatException($"--chown={chown}: no '{nameOrId}' in the image's {database}");
        return int.Parse(line[2]);
    }

    private static int PrimaryGroup(string user, LayerView image, string chown) =>
        int.Parse((DatabaseLine(user, "/etc/passwd", image) ?? throw new FormatException($"--chown={chown}: no '{user}' in the image's /etc/passwd"))[3]);

    private static string[]? DatabaseLine(string name, string database, LayerView image)
    {
        if (image.Find(image.Resolve(database)) is not { } entry || entry.IsDirectory) return null;
        return File.ReadLines(entry.HostPath).Select(l => l.Split(':'))
            .FirstOrDefault(f => f.Length >= 4 && f[0] == name && int.TryParse(f[2], out _));
    }
}
