using System.Text.Json;
using Registry.Tests.Conformance;

namespace Registry.Tests.Build;

/// <summary>
/// The recipes people write, end to end through the NativeAOT agent: `COPY .`, multi-stage builds with
/// COPY --from (name, index, image), skipped stages, --target, heredocs, ONBUILD, SHELL, HEALTHCHECK, the
/// CLI's --label/--iidfile/--output/-f -, and every failure as one line naming file, line and instruction.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MultiStageBuildTests
{
    [Fact]
    public async Task CopyDotCopiesTheWholeContextIntoTheDirectory()
    {
        await using var w = await BuildWorkspace.StartAsync();
        w.Write("a.txt", "a\n");
        w.Write("sub/b", "b\n");
        w.Write("Dockerfile", $"FROM {w.BaseImage}\nCOPY . /app/\n");
        var tag = $"{w.Registry}/dot/app:1";

        var build = await w.BuildAsync(tag);
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotContain("Exception", build.Stdout + build.Stderr);
        var run = await w.AgentAsync("run", tag, "/bin/sh", "-c", "cd /app && find . -type f | sort && cat sub/b");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("./Dockerfile\n./a.txt\n./sub/b\nb\n", run.Stdout);
    }

    private static void WriteMultiStageRecipe(BuildWorkspace w) => w.Write("Dockerfile", $$"""
        # syntax=docker/dockerfile:1
        ARG BASE={{w.BaseImage}}
        ARG GREETING=hello
        FROM $BASE AS base
        ONBUILD RUN echo onbuild-ran > /onbuild.txt
        RUN echo base > /base.txt

        FROM base AS unused
        RUN echo UNUSED-STAGE-RAN && false

        FROM base AS builder
        ARG GREETING
        RUN <<EOF
        mkdir -p /dist/sub
        echo "$GREETING from a heredoc" > /dist/out.txt
        echo nested > /dist/sub/n.txt
        EOF
        COPY <<CONF <<"RAW" /conf/
        greeting=${GREETING}
        CONF
        literal=${GREETING}
        RAW

        FROM {{w.BaseImage}}
        SHELL ["/bin/sh", "-ec"]
        COPY --from=builder /dist/ /final/
        COPY --from=builder --chmod=600 /conf /conf
        COPY --from=0 /base.txt /from-index.txt
        COPY --from={{w.BaseImage}} /bin/busybox /busybox-from-image
        HEALTHCHECK --interval=30s --retries=3 CMD wget -q localhost || exit 1
        STOPSIGNAL SIGINT
        CMD cat /final/out.txt /final/sub/n.txt /conf/CONF /conf/RAW /from-index.txt; stat -c %a /conf/CONF; ls /onbuild.txt 2>&1 || true
        """);

    [Fact]
    public async Task MultiStageBuildCopiesFromStagesIndexesAndImagesSkipsUnneededStagesAndKeepsDockerFields()
    {
        await using var w = await BuildWorkspace.StartAsync();
        WriteMultiStageRecipe(w);
        var tag = $"{w.Registry}/multi/app:1";
        var iid = Path.Combine(w.Directory, "iid");
        var oci = Path.Combine(w.Directory, "layout");

        var build = await w.BuildAsync(tag, "--label", "org.example.from-cli=yes", "--iidfile", iid, "--output", $"type=oci,dest={oci},tar=false");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotContain("UNUSED-STAGE-RAN", build.Stdout);
        Assert.Contains("skipping stage unused", build.Stdout);

        var run = await w.AgentAsync("run", tag);
        Assert.True(run.ExitCode == 0, run.ToString());
        // The final stage is FROM the busybox image, not FROM base: no ONBUILD trigger ran in it.
        Assert.Equal("hello from a heredoc\nnested\ngreeting=hello\nliteral=${GREETING}\nbase\n600\nls: /onbuild.txt: No such file or directory\n", run.Stdout);
        var inBuilder = await w.AgentAsync("run", tag, "/busybox-from-image", "true");
        Assert.True(inBuilder.ExitCode == 0, inBuilder.ToString());

        // --iidfile names the config; --output wrote an OCI layout whose config is that same blob.
        var configDigest = File.ReadAllText(iid);
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(oci, "blobs", "sha256", configDigest["sha256:".Length..])));
        var runtime = config.RootElement.GetProperty("config");
        Assert.Equal("SIGINT", runtime.GetProperty("StopSignal").GetString());
        Assert.Equal(["/bin/sh", "-ec"], runtime.GetProperty("Shell").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["CMD-SHELL", "wget -q localhost || exit 1"], runtime.GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(30_000_000_000, runtime.GetProperty("Healthcheck").GetProperty("Interval").GetInt64());
        Assert.Equal("yes", runtime.GetProperty("Labels").GetProperty("org.example.from-cli").GetString());
        Assert.Equal("/bin/sh", runtime.GetProperty("Cmd")[0].GetString());
        Assert.Equal("-ec", runtime.GetProperty("Cmd")[1].GetString());
        var unpacked = Path.Combine(w.Directory, "bundle");
        await ExternalTool.RunAsync("umoci", ["unpack", "--image", $"{oci}:{tag}", unpacked]);
        Assert.Equal("hello from a heredoc\n", File.ReadAllText(Path.Combine(unpacked, "rootfs", "final", "out.txt")));

        // --target builds the named stage and what it needs, nothing after it.
        var target = await w.AgentAsync("build", "-t", $"{w.Registry}/multi/builder:1", "--target", "builder", w.Context);
        Assert.True(target.ExitCode == 0, target.ToString());
        Assert.Contains("skipping stage 3", target.Stdout);
        var onbuild = await w.AgentAsync("run", $"{w.Registry}/multi/builder:1", "cat", "/onbuild.txt", "/dist/out.txt");
        Assert.Equal("onbuild-ran\nhello from a heredoc\n", onbuild.Stdout);
    }

    [Fact]
    public async Task ARebuildAfterAFinalStageSourceChangeRerunsOnlyTheStepsAfterItsCopy()
    {
        await using var w = await BuildWorkspace.StartAsync();
        w.Write("src/main.txt", "one\n");
        w.Write("Dockerfile", $"""
            FROM {w.BaseImage} AS builder
            RUN echo BUILDER-RAN > /made.txt
            FROM {w.BaseImage}
            COPY --from=builder /made.txt /made.txt
            RUN echo BEFORE-COPY-RAN
            COPY src/ /src/
            RUN echo AFTER-COPY-RAN && cat /src/main.txt
            """);
        var tag = $"{w.Registry}/incremental/app:1";
        var first = await w.BuildAsync(tag);
        Assert.True(first.ExitCode == 0, first.ToString());

        w.Write("src/main.txt", "two\n");
        var second = await w.BuildAsync(tag);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain("BUILDER-RAN", second.Stdout.Replace("echo BUILDER-RAN", ""));
        Assert.DoesNotContain("BEFORE-COPY-RAN\n", second.Stdout.Replace("echo BEFORE-COPY-RAN\n", ""));
        Assert.Contains("AFTER-COPY-RAN\ntwo\n", second.Stdout);
    }

    [Fact]
    public async Task RecipeOnStdinIsBuilt()
    {
        await using var w = await BuildWorkspace.StartAsync();
        var tag = $"{w.Registry}/stdin/app:1";
        var build = await ExternalTool.TryRunAsync("/bin/sh", ["-c",
            $"printf 'FROM {w.BaseImage}\\nRUN echo from-stdin > /s.txt\\n' | '{BuildWorkspace.AgentPath}' --root '{w.Root}' build -f - -t {tag} '{w.Context}'"]);
        Assert.True(build.ExitCode == 0, build.ToString());
        var run = await w.AgentAsync("run", tag, "cat", "/s.txt");
        Assert.Equal("from-stdin\n", run.Stdout);
    }

    [Theory]
    [InlineData("COPY --frob=x a /b", "Dockerfile:3: COPY: unsupported flag --frob")]
    [InlineData("COPY --from=7 /x /y", "Dockerfile:3: COPY: --from=7: there is no stage 7 before this one")]
    [InlineData("RUN <<EOF\necho never closed", "Dockerfile:3: RUN: here-document <<EOF has no terminating 'EOF' line")]
    [InlineData("COPY <<EOF /x\nEOF\nHEALTHCHECK --interval=soon CMD true", "Dockerfile:5: HEALTHCHECK: --interval=soon: expected a duration")]
    [InlineData("STOPSIGNAL NOT-A-SIGNAL", "Dockerfile:3: STOPSIGNAL: invalid signal 'NOT-A-SIGNAL'")]
    [InlineData("FROM --platform=linux/s390x scratch", "Dockerfile:3: FROM: --platform=linux/s390x: only the build host's platform")]
    [InlineData("COPY --chmod=999 a.txt /a", "Dockerfile:3: COPY: --chmod=999: expected an octal mode")]
    [InlineData("ONBUILD FROM scratch", "Dockerfile:3: ONBUILD: FROM is not allowed as an ONBUILD trigger")]
    public async Task EveryFailureIsOneLineNamingFileLineAndInstruction(string line, string message)
    {
        await using var w = await BuildWorkspace.StartAsync();
        w.Write("a.txt", "a\n");
        w.Write("Dockerfile", $"FROM {w.BaseImage}\nRUN true\n{line}\nCMD true\n");

        var build = await w.BuildAsync($"{w.Registry}/bad/app:1");
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains(message, build.Stderr);
        Assert.Single(build.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", build.Stdout + build.Stderr);
    }

    [Fact]
    public async Task IndependentStagesRunTheirCommandsAtTheSameTime()
    {
        await using var w = await BuildWorkspace.StartAsync();
        // Each stage's RUN marks its arrival in a shared cache mount and waits (10 s at most) for the other's mark:
        // built one after another, the first would time out; in parallel both meet.
        static string Meet(string me, string other) =>
            $"RUN --mount=type=cache,target=/meet,id=meet touch /meet/{me} && for i in $(seq 100); do [ -e /meet/{other} ] && echo met > /{me}.txt && exit 0; sleep 0.1; done; echo {me} waited alone; exit 1";
        w.Write("Dockerfile", $"""
            FROM {w.BaseImage} AS left
            {Meet("left", "right")}
            FROM {w.BaseImage} AS right
            {Meet("right", "left")}
            FROM {w.BaseImage}
            COPY --from=left /left.txt /
            COPY --from=right /right.txt /
            """);
        var tag = $"{w.Registry}/parallel/app:1";
        var build = await w.BuildAsync(tag);
        Assert.True(build.ExitCode == 0, build.ToString());
        var run = await w.AgentAsync("run", tag, "cat", "/left.txt", "/right.txt");
        Assert.Equal("met\nmet\n", run.Stdout);

        // A failing stage stops the build with its own error, whatever the other stage was doing.
        w.Write("Dockerfile", $"FROM {w.BaseImage} AS slow\nRUN sleep 2\nFROM {w.BaseImage} AS broken\nRUN exit 3\nFROM slow\nCOPY --from=broken /x /x\n");
        var failed = await w.BuildAsync($"{w.Registry}/parallel/bad:1");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("Dockerfile:4: RUN: the command exited with code 3", failed.Stderr);
        Assert.DoesNotContain("   at ", failed.Stdout + failed.Stderr);
    }

    [Fact]
    public async Task AnUnknownTargetFailsNamingTheStages()
    {
        await using var w = await BuildWorkspace.StartAsync();
        w.Write("Dockerfile", $"FROM {w.BaseImage} AS one\nFROM one AS two\n");
        var build = await w.AgentAsync("build", "--target", "three", w.Context);
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("--target three: the recipe has no stage named 'three' (stages: one, two)", build.Stderr);
    }
}
