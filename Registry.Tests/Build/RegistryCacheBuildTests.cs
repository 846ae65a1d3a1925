using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Registry.Oci;
using Registry.Tests.Conformance;

namespace Registry.Tests.Build;

/// <summary>
/// `build --cache-to REF` / `--cache-from REF` against the project's registry on loopback: the cache is an OCI artifact
/// there, and a build on a fresh --root reuses its steps (pulling only the layers it needs) instead of running them.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class RegistryCacheBuildTests
{
    private const int LayerSteps = 6; // tools RUN, COPY lib, RUN, COPY --from, COPY final, RUN

    private static void WriteRecipe(BuildWorkspace w)
    {
        w.Write("Dockerfile", $"""
            FROM {w.BaseImage} AS tools
            RUN echo TOOLS-RAN && echo tool > /tool.txt

            FROM {w.BaseImage}
            COPY lib.txt /app/lib.txt
            RUN echo LIB-RAN && cat /app/lib.txt > /app/lib.out
            COPY --from=tools /tool.txt /app/tool.txt
            COPY final.txt /app/final.txt
            RUN echo FINAL-RAN && cat /app/final.txt > /app/final.out
            """);
        w.Write("lib.txt", "lib\n");
        w.Write("final.txt", "final one\n");
    }

    [Fact]
    public async Task AFreshRootWithCacheFromRunsNothingAndMakesTheSameImage()
    {
        await using var w = await BuildWorkspace.StartAsync();
        WriteRecipe(w);
        var cache = $"{w.Registry}/cache/app:buildcache";
        var first = await w.BuildAsync($"{w.Registry}/built/app:1", "--cache-to", cache);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"cache {cache}: exported {LayerSteps} steps", first.Stdout);

        // The registry holds an OCI artifact: its own artifactType, the empty config, one annotated layer per result.
        var manifest = await CacheManifestAsync(w);
        Assert.Equal("application/vnd.runtime-agent.build.cache.v1", manifest.GetProperty("artifactType").GetString());
        Assert.Equal(MediaTypes.OciEmpty, manifest.GetProperty("config").GetProperty("mediaType").GetString());
        var keys = manifest.GetProperty("layers").EnumerateArray()
            .SelectMany(l => l.GetProperty("annotations").GetProperty("dev.runtime-agent.build.cache.keys").GetString()!.Split(' ')).ToList();
        Assert.Equal(LayerSteps, keys.Distinct().Count());

        var fresh = Path.Combine(w.Directory, "fresh-root");
        var second = await AgentAsync(fresh, "build", "-t", $"{w.Registry}/built/app:2", "--cache-from", cache, w.Context);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain(Lines(second.Stdout), l => l.EndsWith("-RAN", StringComparison.Ordinal));
        Assert.Equal(LayerSteps, FromCache().Matches(second.Stdout).Count);
        Assert.Equal(Digest(first.Stdout), Digest(second.Stdout));

        var run = await AgentAsync(fresh, "run", $"{w.Registry}/built/app:2", "cat", "/app/lib.out", "/app/tool.txt", "/app/final.out");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("lib\ntool\nfinal one\n", run.Stdout);
    }

    [Fact]
    public async Task AChangedFileRunsOnlyItsOwnStepsAndTheOutdatedLayersAreNotPulled()
    {
        await using var w = await BuildWorkspace.StartAsync();
        WriteRecipe(w);
        var cache = $"{w.Registry}/cache/app:buildcache";
        var first = await w.BuildAsync($"{w.Registry}/built/app:1", "--cache-to", cache);
        Assert.True(first.ExitCode == 0, first.ToString());
        var cached = (await CacheManifestAsync(w)).GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).ToList();

        w.Write("final.txt", "final two\n");
        var fresh = Path.Combine(w.Directory, "fresh-root");
        var second = await AgentAsync(fresh, "build", "-t", $"{w.Registry}/built/app:2", "--cache-from", cache, w.Context);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("FINAL-RAN", Lines(second.Stdout));
        Assert.DoesNotContain("TOOLS-RAN", Lines(second.Stdout));
        Assert.DoesNotContain("LIB-RAN", Lines(second.Stdout));
        Assert.Equal(LayerSteps - 2, FromCache().Matches(second.Stdout).Count);

        // Layers are pulled per step reached: the two outdated ones (old final COPY and RUN) are in the cache but never fetched.
        var image = JsonDocument.Parse(File.ReadAllBytes(BlobPath(fresh, Digest(second.Stdout)))).RootElement;
        var used = image.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).ToHashSet();
        var notFetched = cached.Where(d => !File.Exists(BlobPath(fresh, d))).ToList();
        Assert.Equal(2, notFetched.Count);
        Assert.DoesNotContain(notFetched, used.Contains);

        var run = await AgentAsync(fresh, "run", $"{w.Registry}/built/app:2", "cat", "/app/final.out");
        Assert.Equal("final two\n", run.Stdout);
    }

    [Fact]
    public async Task AMissingOrForeignCacheIsAWarningAndABadCacheOptionOneLine()
    {
        await using var w = await BuildWorkspace.StartAsync();
        WriteRecipe(w);
        var missing = await w.BuildAsync($"{w.Registry}/built/app:1", "--cache-from", $"{w.Registry}/cache/none:missing", "--cache-from", w.BaseImage);
        Assert.True(missing.ExitCode == 0, missing.ToString());
        Assert.Contains($"warning: --cache-from {w.Registry}/cache/none:missing: ", missing.Stdout);
        Assert.Contains($"warning: --cache-from {w.BaseImage}: not a build cache", missing.Stdout);
        Assert.Contains("FINAL-RAN", Lines(missing.Stdout));

        foreach (var (option, value, message) in new[]
                 {
                     ("--cache-to", "type=local,dest=/tmp/x", "type=local is not supported"),
                     ("--cache-to", $"type=registry,ref={w.Registry}/c/a:1,mode=min", "mode=min is not supported"),
                     ("--cache-from", "type=registry", "ref=REF is missing"),
                     ("--cache-to", $"{w.Registry}/c/a@sha256:{new string('0', 64)}", "the cache is written under a tag"),
                 })
        {
            var bad = await w.BuildAsync($"{w.Registry}/built/app:1", option, value);
            Assert.NotEqual(0, bad.ExitCode);
            var line = Assert.Single(bad.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.True(line.Contains($"{option} {value}: {message}", StringComparison.Ordinal), line);
        }

        // The registry refuses the export (no such host port): one line, and the build itself was done.
        var refused = await w.BuildAsync($"{w.Registry}/built/app:1", "--cache-to", "127.0.0.1:1/c/a:1");
        Assert.NotEqual(0, refused.ExitCode);
        var refusal = Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--cache-to 127.0.0.1:1/c/a:1: ", refusal);
    }

    private static Task<ExternalTool.Result> AgentAsync(string root, params string[] args) =>
        ExternalTool.TryRunAsync(BuildWorkspace.AgentPath, ["--root", root, .. args], timeout: TimeSpan.FromMinutes(3));

    private static async Task<JsonElement> CacheManifestAsync(BuildWorkspace w)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{w.Registry}/v2/cache/app/manifests/buildcache");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciManifest));
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"GET cache manifest: {(int)response.StatusCode}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string BlobPath(string root, string digest) => Path.Combine(root, "blobs", "sha256", digest["sha256:".Length..]);

    private static string Digest(string output) =>
        DigestLine().Match(output).Groups[1].Value is { Length: > 0 } d ? d : throw new Xunit.Sdk.XunitException("no Digest line in: " + output);

    [GeneratedRegex("^Digest: (sha256:[0-9a-f]{64})$", RegexOptions.Multiline)]
    private static partial Regex DigestLine();

    [GeneratedRegex(@"^--> CACHED .*\(from .*\)$", RegexOptions.Multiline)]
    private static partial Regex FromCache();
}
