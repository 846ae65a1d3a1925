using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Registry.Tests.Conformance;

namespace Registry.Tests.Build;

/// <summary>
/// RUN --mount end to end through the NativeAOT agent: cache mounts that outlive a build, secrets that a RUN reads
/// but no layer, config or cache key keeps, binds from the context and from another stage, tmpfs, and that no
/// mount point is left in a layer.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RunMountBuildTests
{
    [Fact]
    public async Task ACacheMountSurvivesIntoTheNextBuildAndStaysOutOfTheLayer()
    {
        await using var w = await BuildWorkspace.StartAsync();
        w.Write("Dockerfile", $"FROM {w.BaseImage}\nRUN --mount=type=cache,target=/var/cache/app echo first-build > /var/cache/app/seen\n");
        var first = await w.BuildAsync($"{w.Registry}/cache/app:1");
        Assert.True(first.ExitCode == 0, first.ToString());

        // A different RUN (so no step cache hit) with the same cache id sees what the first build left.
        w.Write("Dockerfile", $"FROM {w.BaseImage}\nRUN --mount=type=cache,target=/c,id=/var/cache/app,sharing=locked cp /c/seen /copied && echo again >> /c/seen\n");
        var tag = $"{w.Registry}/cache/app:2";
        var second = await w.BuildAsync(tag);
        Assert.True(second.ExitCode == 0, second.ToString());
        var run = await w.AgentAsync("run", tag, "/bin/sh", "-c", "cat /copied; ls -d /c /var/cache/app 2>&1");
        Assert.Equal("first-build\nls: /c: No such file or directory\nls: /var/cache/app: No such file or directory\n", run.Stdout);

        var layers = await ExportedLayersAsync(w, tag);
        Assert.DoesNotContain(layers.SelectMany(l => l.Names), n => n.Contains("seen") || n.TrimEnd('/').EndsWith("/c") || n.TrimEnd('/') == "c");
    }

    [Fact]
    public async Task ASecretIsReadableInRunButInNoLayerConfigOrCacheKey()
    {
        await using var w = await BuildWorkspace.StartAsync();
        const string secret = "s3cr3t-Value-4711";
        var secretSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        var secretFile = Path.Combine(w.Directory, "token.txt");
        File.WriteAllText(secretFile, secret);
        w.Write("Dockerfile", $$"""
            FROM {{w.BaseImage}}
            RUN --mount=type=secret,id=token if test "$(sha256sum 2>/dev/null < /run/secrets/token)" = "{{secretSha}}  -"; then echo secret-seen; else echo no-secret; fi > /proof
            RUN --mount=type=secret,id=token,target=/etc/app-token,required=true wc -c < /etc/app-token > /length
            """);
        var tag = $"{w.Registry}/secret/app:1";
        var build = await w.BuildAsync(tag, "--secret", $"id=token,src={secretFile}");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotContain(secret, build.Stdout + build.Stderr);

        var run = await w.AgentAsync("run", tag, "/bin/sh", "-c", "cat /proof /length; ls /run/secrets /etc/app-token 2>&1 | wc -l");
        Assert.Equal($"secret-seen\n{secret.Length}\n2\n", run.Stdout); // two "No such file" lines: neither mount point was kept
        var layers = await ExportedLayersAsync(w, tag);
        foreach (var layer in layers)
        {
            Assert.DoesNotContain(layer.Names, n => n.Contains("secrets") || n.Contains("app-token"));
            Assert.DoesNotContain(secret, layer.Text);
        }
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(w.Directory, "layout", "blobs", "sha256")))
            Assert.DoesNotContain(secret, File.ReadAllText(blob, Encoding.Latin1)); // config and manifest too

        // The key holds the secret's id only: new content reuses the steps; a required secret that is missing fails clearly.
        File.WriteAllText(secretFile, "another value");
        var again = await w.BuildAsync(tag, "--secret", $"id=token,src={secretFile}");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(2, again.Stdout.Split("--> CACHED RUN").Length - 1);
        var missing = await w.AgentAsync("build", "--no-cache", "-t", tag, w.Context);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.EndsWith("Dockerfile:3: RUN: secret 'token' is required but was not given (build --secret id=token,src=FILE)", missing.Stderr.Trim());
        Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task BindMountsComeFromTheContextAndFromOtherStagesAndLeaveNothingBehind()
    {
        await using var w = await BuildWorkspace.StartAsync();
        w.Write("data/x.txt", "from-context-1\n");
        w.Write("Dockerfile", $"""
            FROM {w.BaseImage} AS builder
            RUN mkdir -p /out && echo built-tool > /out/tool.txt

            FROM {w.BaseImage}
            WORKDIR /work
            RUN --mount=type=bind,from=builder,source=/out,target=/mnt/builder cp /mnt/builder/tool.txt /tool.txt
            RUN --mount=type=bind,source=data,target=ctx cp ctx/x.txt /x.txt
            RUN --mount=type=bind,target=/rw,rw echo scribble > /rw/data/x.txt && cat /rw/data/x.txt > /rw-seen.txt
            RUN --mount=type=tmpfs,target=/scratch,size=1m echo t > /scratch/t && grep -q ' /scratch tmpfs ' /proc/mounts && echo tmpfs > /tmpfs.txt
            """);
        var tag = $"{w.Registry}/bind/app:1";
        var build = await w.BuildAsync(tag);
        Assert.True(build.ExitCode == 0, build.ToString());
        var run = await w.AgentAsync("run", tag, "/bin/sh", "-c", "cat /tool.txt /x.txt /rw-seen.txt /tmpfs.txt; ls -A /work /mnt /scratch /rw 2>&1; true");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("built-tool\nfrom-context-1\nscribble\ntmpfs\n", run.Stdout);
        Assert.Contains("/mnt: No such file or directory", run.Stdout);
        Assert.Contains("/scratch: No such file or directory", run.Stdout);
        Assert.Contains("/rw: No such file or directory", run.Stdout);
        Assert.DoesNotContain("ctx", run.Stdout); // /work is there (WORKDIR), the mount point inside it is not
        Assert.Equal("from-context-1\n", File.ReadAllText(Path.Combine(w.Context, "data", "x.txt"))); // rw writes are discarded

        // A bind's content is part of the key: changing the file re-runs that step and only the ones after it.
        w.Write("data/x.txt", "from-context-2\n");
        var again = await w.BuildAsync(tag);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("--> CACHED RUN", again.Stdout);
        var rerun = await w.AgentAsync("run", tag, "cat", "/x.txt");
        Assert.Equal("from-context-2\n", rerun.Stdout);
    }

    [Theory]
    [InlineData("RUN --mount=type=cache cat /x", "Dockerfile:2: RUN: --mount=type=cache: target= is required")]
    [InlineData("RUN --mount=type=ssh true", "Dockerfile:2: RUN: --mount=type=ssh: type=ssh is not supported")]
    [InlineData("RUN --mount=type=bind,source=../etc,target=/e true", "Dockerfile:2: RUN: --mount source=../etc: outside the build context")]
    [InlineData("RUN --mount=type=bind,source=absent,target=/e true", "Dockerfile:2: RUN: absent: not found")]
    [InlineData("RUN --mount=type=tmpfs,target=/t,id=x true", "Dockerfile:2: RUN: --mount=type=tmpfs,target=/t,id=x: unknown option 'id' for type=tmpfs")]
    public async Task ABadMountIsOneLineNamingFileLineAndInstruction(string line, string message)
    {
        await using var w = await BuildWorkspace.StartAsync();
        w.Write("Dockerfile", $"FROM {w.BaseImage}\n{line}\n");
        var build = await w.BuildAsync($"{w.Registry}/badmount/app:1");
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains(message, build.Stderr);
        Assert.Single(build.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", build.Stdout + build.Stderr);
    }

    internal sealed record LayerContent(IReadOnlyList<string> Names, string Text);

    /// <summary>Writes the image as an OCI layout (layout/ under the workspace) and reads every layer tar in it.</summary>
    internal static async Task<IReadOnlyList<LayerContent>> ExportedLayersAsync(BuildWorkspace w, string tag)
    {
        var layout = Path.Combine(w.Directory, "layout");
        if (Directory.Exists(layout)) Directory.Delete(layout, recursive: true);
        var export = await w.AgentAsync("build", "-t", tag, "--output", $"type=oci,dest={layout},tar=false", w.Context);
        Assert.True(export.ExitCode == 0, export.ToString());
        var layers = new List<LayerContent>();
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(layout, "blobs", "sha256")))
        {
            var bytes = File.ReadAllBytes(blob);
            if (bytes is not [0x1f, 0x8b, ..]) continue;
            using var raw = new MemoryStream();
            using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress)) gzip.CopyTo(raw);
            var names = new List<string>();
            raw.Position = 0;
            using (var reader = new TarReader(raw, leaveOpen: true))
                while (reader.GetNextEntry() is { } entry) names.Add(entry.Name);
            layers.Add(new LayerContent(names, Encoding.Latin1.GetString(raw.ToArray())));
        }
        return layers;
    }
}
