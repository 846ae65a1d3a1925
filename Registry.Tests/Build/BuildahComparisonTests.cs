using System.Text.Json.Nodes;
using Registry.Tests.Conformance;
using Xunit.Abstractions;

namespace Registry.Tests.Build;

/// <summary>
/// Every recipe of <see cref="BuildCorpus"/> built by `runtime-agent build` and by `buildah bud` (runc) from the same
/// context: the unpacked root filesystems (umoci) must match in paths, types, modes, owners, xattrs, symlink targets
/// and file content (timestamps excluded), and the image configs in Docker's fields. Each difference is printed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BuildahComparisonTests(ITestOutputHelper log)
{
    public static TheoryData<string> Recipes => new(BuildCorpus.All.Select(r => r.Name));

    // One line per entry: path, type, mode, owner, link target or content hash, xattrs (never following symlinks).
    private const string TreeScript = """
        import hashlib, os, stat, sys
        root = sys.argv[1]
        for base, dirs, files in os.walk(root):
            for name in sorted(dirs + files):
                path = os.path.join(base, name); st = os.lstat(path); rel = "/" + os.path.relpath(path, root)
                kind = stat.S_IFMT(st.st_mode)
                detail = os.readlink(path) if stat.S_ISLNK(kind) else hashlib.sha256(open(path, "rb").read()).hexdigest() if stat.S_ISREG(kind) else ""
                xattrs = ",".join(f"{x}={os.getxattr(path, x, follow_symlinks=False).hex()}" for x in sorted(os.listxattr(path, follow_symlinks=False)))
                print(f"{rel}\t{kind:o} {stat.S_IMODE(st.st_mode):04o} {st.st_uid}:{st.st_gid} {detail} [{xattrs}]")
        """;

    // What buildah's RUN leaves behind as mount points for its runtime (empty, root-owned); not the recipe's content.
    private static readonly HashSet<string> BuildahMountPoints = ["/dev", "/proc", "/sys", "/run", "/etc", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"];

    private static readonly string[] DockerConfigFields =
        ["User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels", "StopSignal", "Healthcheck", "OnBuild", "Shell"];

    [Theory]
    [MemberData(nameof(Recipes))]
    public async Task RecipeBuildsTheSameImageAsBuildah(string name)
    {
        var recipe = BuildCorpus.All.Single(r => r.Name == name);
        await using var w = await BuildWorkspace.StartAsync();
        foreach (var (path, content) in recipe.Files) w.Write(path, content);
        File.Copy("/bin/busybox", Path.Combine(w.Context, "busybox"));
        if (recipe.Prepare is { } prepare) await prepare(w.Context);

        var oursLayout = Path.Combine(w.Directory, "ours-oci");
        var ours = await w.AgentAsync(["build", "-t", $"{w.Registry}/corpus/{name}:1", "--output", $"type=oci,dest={oursLayout},tar=false,name=image",
                                       .. recipe.Arguments, w.Context]);
        Assert.True(ours.ExitCode == 0, ours.ToString());
        using var buildah = new BuildahSandbox();
        var theirs = await buildah.BudAsync(w.Context, $"localhost/corpus-{name}", recipe.Arguments);
        Assert.True(theirs.ExitCode == 0, theirs.ToString());
        var theirsLayout = Path.Combine(w.Directory, "buildah-oci");
        var theirConfig = JsonNode.Parse(await buildah.ExportAsync($"localhost/corpus-{name}", theirsLayout))!["Docker"]!["config"]!;

        var ourTree = await TreeAsync(oursLayout, Path.Combine(w.Directory, "ours-bundle"));
        var theirTree = await TreeAsync(theirsLayout, Path.Combine(w.Directory, "buildah-bundle"));
        var differences = new List<string>();
        foreach (var path in ourTree.Keys.Union(theirTree.Keys).Order(StringComparer.Ordinal))
        {
            var (mine, other) = (ourTree.GetValueOrDefault(path), theirTree.GetValueOrDefault(path));
            if (mine == other || mine is null && BuildahMountPoints.Contains(path) && IsEmptyMountPoint(other!)) continue;
            differences.Add($"{path}: ours [{mine ?? "absent"}] buildah [{other ?? "absent"}]");
        }

        var ourConfig = OurConfig(oursLayout);
        foreach (var field in DockerConfigFields)
        {
            var (mine, other) = (Normalized(ourConfig[field], field), Normalized(theirConfig[field], field));
            if (mine != other) differences.Add($"config {field}: ours {mine} buildah {other}");
        }
        foreach (var difference in differences) log.WriteLine(difference);
        Assert.True(differences.Count == 0, $"{name}: {differences.Count} differences:\n{string.Join('\n', differences)}");
    }

    // An empty directory, or an empty file (buildah's bind targets for /etc/hosts and friends), owned by root.
    private static bool IsEmptyMountPoint(string entry) =>
        entry.StartsWith("40000 0755 0:0", StringComparison.Ordinal)
        || entry.StartsWith("100000 ", StringComparison.Ordinal) && entry.Contains(" 0:0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ", StringComparison.Ordinal);

    private static async Task<Dictionary<string, string>> TreeAsync(string layout, string bundle)
    {
        await ExternalTool.RunAsync("umoci", ["unpack", "--image", $"{layout}:image", bundle]);
        var listing = await ExternalTool.RunAsync("python3", ["-c", TreeScript, Path.Combine(bundle, "rootfs")]);
        return listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    private static JsonNode OurConfig(string layout)
    {
        JsonNode Blob(string digest) => JsonNode.Parse(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..])))!;
        var index = JsonNode.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")))!;
        var manifest = Blob(index["manifests"]![0]!["digest"]!.GetValue<string>());
        return Blob(manifest["config"]!["digest"]!.GetValue<string>())["config"]!;
    }

    // Absent and empty mean the same (buildah writes [] and {} where we write nothing); buildah's own version label is not the recipe's.
    private static string Normalized(JsonNode? node, string field)
    {
        if (field == "Labels" && node is JsonObject labels) { labels = (JsonObject)labels.DeepClone(); labels.Remove("io.buildah.version"); node = labels; }
        return node switch
        {
            null => "null",
            JsonArray { Count: 0 } or JsonObject { Count: 0 } => "null",
            JsonValue value when value.ToJsonString() is "\"\"" => "null",
            JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString(),
            _ => node.ToJsonString(),
        };
    }
}
