using System.Text.RegularExpressions;
using Registry.Tests.Conformance;

namespace Registry.Tests.Build;

/// <summary>`runtime-agent build` end to end: a real registry, the NativeAOT agent, real overlay mounts and namespaces.</summary>
[Trait("Category", "Integration")]
public sealed partial class BuildEndToEndTests
{
    private static void WriteRecipe(BuildWorkspace w, string extraRunLine = "")
    {
        w.Write("Dockerfile", $$"""
            # a recipe touching every part of the image
            FROM {{w.BaseImage}}
            ARG GREETING=hello
            ENV APP_HOME=/srv/app \
                MODE=test
            WORKDIR $APP_HOME
            COPY files/ ./files/
            COPY --chown=1000:1000 config.txt /etc/app.conf
            RUN echo RUN-ONE-EXECUTED && mkdir -p /doomed/sub && echo bye > /doomed/sub/f \
                && echo "$GREETING $MODE" > made.txt && echo temp > remove-me.txt
            RUN echo RUN-TWO-EXECUTED && rm -rf /doomed && rm remove-me.txt files/b.txt \
                && echo modified >> files/a.txt && rm /etc/group {{extraRunLine}}
            CMD ["/bin/sh", "-c", "cat /srv/app/made.txt; echo APP_HOME=$APP_HOME; pwd"]
            """);
        w.Write("files/a.txt", "a\n");
        w.Write("files/b.txt", "b\n");
        w.Write("files/x.secret", "never in the image\n");
        w.Write("config.txt", "setting=1\n");
        w.Write(".dockerignore", "**/*.secret\n");
    }

    // What both our agent and umoci must show for the built image (path → content, or "DIR").
    private const string TreeScript =
        "for p in /srv/app/made.txt /srv/app/files/a.txt /etc/app.conf; do echo \"$p=$(cat $p | tr '\\n' '|')\"; done; " +
        "for p in /doomed /srv/app/remove-me.txt /srv/app/files/b.txt /srv/app/files/x.secret /etc/group; do [ -e $p ] && echo \"PRESENT $p\"; done; " +
        "find / -xdev -name '.wh.*' | sed 's/^/WHITEOUT /'; stat -c 'owner=%u:%g' /etc/app.conf";

    private static readonly string[] ExpectedTree =
    [
        "/srv/app/made.txt=hello test|", "/srv/app/files/a.txt=a|modified|", "/etc/app.conf=setting=1|", "owner=1000:1000",
    ];

    [Fact]
    public async Task BuiltImageRunsWithTheExpectedTreeEnvAndCommandAndOtherToolsSeeTheSameAfterPush()
    {
        await using var w = await BuildWorkspace.StartAsync();
        WriteRecipe(w);
        var tag = $"{w.Registry}/built/app:1";

        var build = await w.BuildAsync(tag, "--push");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("STEP 1/9: FROM", build.Stdout);
        Assert.Contains("RUN-ONE-EXECUTED", Lines(build.Stdout));

        var run = await w.AgentAsync("run", tag);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("hello test\nAPP_HOME=/srv/app\n/srv/app\n", run.Stdout);

        var tree = await w.AgentAsync("run", tag, "/bin/sh", "-c", TreeScript);
        Assert.True(tree.ExitCode == 0, tree.ToString());
        Assert.Equal(ExpectedTree.Order(), Lines(tree.Stdout).Order());

        // skopeo + umoci read the pushed image: the whiteouts must delete the same files for them.
        var layout = Path.Combine(w.Directory, "oci");
        await ExternalTool.RunAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{tag}", $"oci:{layout}:1"]);
        var bundle = Path.Combine(w.Directory, "bundle");
        await ExternalTool.RunAsync("umoci", ["unpack", "--image", $"{layout}:1", bundle]);
        var rootfs = Path.Combine(bundle, "rootfs");
        Assert.Equal("hello test\n", File.ReadAllText(Path.Combine(rootfs, "srv/app/made.txt")));
        Assert.Equal("a\nmodified\n", File.ReadAllText(Path.Combine(rootfs, "srv/app/files/a.txt")));
        foreach (var gone in new[] { "doomed", "srv/app/remove-me.txt", "srv/app/files/b.txt", "srv/app/files/x.secret", "etc/group" })
            Assert.False(Path.Exists(Path.Combine(rootfs, gone)), $"{gone} should be deleted in the umoci tree");
        Assert.Empty(Directory.EnumerateFileSystemEntries(rootfs, ".wh.*", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(rootfs, "bin/busybox")));
    }

    [Fact]
    public async Task UnchangedRebuildRunsNothingAndAChangedFileRebuildsFromItsStepOn()
    {
        await using var w = await BuildWorkspace.StartAsync();
        WriteRecipe(w);
        var tag = $"{w.Registry}/cache/app:1";
        var first = await w.BuildAsync(tag);
        Assert.True(first.ExitCode == 0, first.ToString());

        // A second tag on a fully cached rebuild: the image is reused, and the new tag is recorded and runs.
        var again = await w.BuildAsync(tag, "-t", $"{w.Registry}/cache/app:2");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain(Lines(again.Stdout), l => l.EndsWith("-EXECUTED", StringComparison.Ordinal));
        Assert.Equal(5, Cached().Matches(again.Stdout).Count); // WORKDIR (it creates /srv/app), two COPYs, two RUNs
        Assert.Equal(Digest(first.Stdout), Digest(again.Stdout));
        var second = await w.AgentAsync("run", $"{w.Registry}/cache/app:2", "cat", "/srv/app/made.txt");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal("hello test\n", second.Stdout);

        w.Write("config.txt", "setting=2\n");
        var changed = await w.BuildAsync(tag);
        await AssertRebuiltFromTheConfigStepAsync(w, tag, changed, "setting=2\n");
        Assert.Contains("RUN-ONE-EXECUTED", Lines(changed.Stdout));
        Assert.Contains("RUN-TWO-EXECUTED", Lines(changed.Stdout));
        Assert.NotEqual(Digest(first.Stdout), Digest(changed.Stdout));
    }

    // Step 5 copies config.txt: a change there keeps step 4 cached and rebuilds from step 5's layer on.
    private static async Task AssertRebuiltFromTheConfigStepAsync(BuildWorkspace w, string tag, ExternalTool.Result changed, string config)
    {
        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Contains("--> CACHED COPY", StepOutput(changed.Stdout, 5));
        Assert.DoesNotContain("CACHED", StepOutput(changed.Stdout, 6));
        var run = await w.AgentAsync("run", tag, "cat", "/etc/app.conf");
        Assert.Equal(config, run.Stdout);
    }

    [Fact]
    public async Task ACopiedFileChangedInPlaceWithItsSizeAndMtimeKeptIsRebuilt()
    {
        await using var w = await BuildWorkspace.StartAsync();
        WriteRecipe(w);
        Thread.Sleep(1100); // let the context settle, so the first build remembers the files' digests
        var tag = $"{w.Registry}/inplace/app:1";
        var first = await w.BuildAsync(tag);
        Assert.True(first.ExitCode == 0, first.ToString());

        var config = Path.Combine(w.Context, "config.txt");
        var mtime = File.GetLastWriteTimeUtc(config);
        File.WriteAllText(config, "setting=9\n");
        File.SetLastWriteTimeUtc(config, mtime);
        await AssertRebuiltFromTheConfigStepAsync(w, tag, await w.BuildAsync(tag), "setting=9\n");
    }

    [Fact]
    public async Task ANewSourceDateEpochRebuildsEveryStepAndIsCachedUnderItsOwnKeys()
    {
        await using var w = await BuildWorkspace.StartAsync();
        WriteRecipe(w);
        var tag = $"{w.Registry}/epoch/app:1";
        var atZero = await w.BuildAsync(tag);
        var epoch = new Dictionary<string, string> { ["SOURCE_DATE_EPOCH"] = "1700000000" };
        var atEpoch = await w.AgentAsync(epoch, "build", "-t", tag, w.Context);
        var again = await w.AgentAsync(epoch, "build", "-t", tag, w.Context);
        Assert.True(atZero.ExitCode == 0 && atEpoch.ExitCode == 0 && again.ExitCode == 0, $"{atZero}\n{atEpoch}\n{again}");

        Assert.DoesNotContain("CACHED", atEpoch.Stdout);
        Assert.NotEqual(Digest(atZero.Stdout), Digest(atEpoch.Stdout));
        Assert.Equal(5, Cached().Matches(again.Stdout).Count); // WORKDIR (it creates /srv/app), two COPYs, two RUNs
        Assert.Equal(Digest(atEpoch.Stdout), Digest(again.Stdout));
        var mtime = await w.AgentAsync("run", tag, "stat", "-c", "%Y", "/srv/app/made.txt");
        Assert.Equal("1700000000\n", mtime.Stdout);
    }

    [Fact]
    public async Task TwoBuildsWithoutCacheGiveTheSameLayerDigests()
    {
        await using var w = await BuildWorkspace.StartAsync();
        WriteRecipe(w);
        var one = await w.BuildAsync($"{w.Registry}/same/app:1", "--no-cache");
        var two = await w.BuildAsync($"{w.Registry}/same/app:2", "--no-cache");
        Assert.True(one.ExitCode == 0 && two.ExitCode == 0, one + "\n" + two);
        Assert.Contains("RUN-TWO-EXECUTED", Lines(two.Stdout));
        Assert.DoesNotContain("CACHED", two.Stdout);
        Assert.Equal(Digest(one.Stdout), Digest(two.Stdout));
    }

    [Theory]
    [InlineData("FROBNICATE now", "Dockerfile:3: FROBNICATE: unknown instruction")]
    [InlineData("COPY ../outside /x", "Dockerfile:3: COPY: ../outside: outside the build context")]
    [InlineData("RUN echo ab''out-to-fail && exit 7", "Dockerfile:3: RUN: the command exited with code 7")]
    public async Task BadRecipeFailsNamingTheLineAndTagsNothing(string line, string message)
    {
        await using var w = await BuildWorkspace.StartAsync();
        w.Write("Dockerfile", $"FROM {w.BaseImage}\nRUN echo fine\n{line}\nCMD true\n");
        File.WriteAllText(Path.Combine(w.Directory, "outside"), "host file\n");
        var tag = $"{w.Registry}/bad/app:1";

        var build = await w.BuildAsync(tag, "--push");
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains(message, build.Stderr);
        if (line.StartsWith("RUN")) Assert.Contains("about-to-fail", Lines(build.Stdout));
        var images = await w.AgentAsync("images");
        Assert.DoesNotContain("bad/app", images.Stdout);
        var pulled = await ExternalTool.TryRunAsync("skopeo", ["inspect", "--tls-verify=false", $"docker://{tag}"]);
        Assert.NotEqual(0, pulled.ExitCode);
    }

    [Fact]
    public async Task MissingBaseImageFailsNamingIt()
    {
        await using var w = await BuildWorkspace.StartAsync();
        w.Write("Dockerfile", $"FROM {w.Registry}/no/such:image\nRUN true\n");
        var build = await w.BuildAsync($"{w.Registry}/x/y:1");
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains($"Dockerfile:1: FROM: ", build.Stderr);
        Assert.Contains($"{w.Registry}/no/such:image", build.Stderr);
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Digest(string output) => DigestLine().Match(output).Groups[1].Value is { Length: > 0 } d ? d : throw new Xunit.Sdk.XunitException("no Digest line in: " + output);

    private static string StepOutput(string output, int step)
    {
        var start = output.IndexOf($"STEP {step}/", StringComparison.Ordinal);
        var end = output.IndexOf($"STEP {step + 1}/", start + 1, StringComparison.Ordinal);
        return output[start..(end < 0 ? output.Length : end)];
    }

    [GeneratedRegex("^Digest: (sha256:[0-9a-f]{64})$", RegexOptions.Multiline)]
    private static partial Regex DigestLine();

    [GeneratedRegex("^--> CACHED ", RegexOptions.Multiline)]
    private static partial Regex Cached();
}
