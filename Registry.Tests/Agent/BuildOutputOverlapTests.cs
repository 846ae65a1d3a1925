using Microsoft.AspNetCore.Http;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>
/// A build whose stages overlap on purpose: one stage's RUN prints while another stage's FROM pull is in flight (the
/// front holds that image's big layer mid-transfer, trickling bytes, until the RUN says it is done; the RUN waits for
/// the hold to begin). The RUN's lines must come out whole, above the live bars on a terminal (tmux) and never split
/// by a progress line in plain output. As root (RUN) against the published agent.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BuildOutputOverlapTests(AgentRegistryFixture registry) : IClassFixture<AgentRegistryFixture>
{
    private const char Escape = '\u001b';
    private static readonly string[] RunLines = [.. Enumerable.Range(1, 10).Select(i => $"run-line-{i}"), "torn-whole"];

    [Fact]
    public async Task RunOutputOfOneStagePrintsWholeAboveAnotherStagesLiveBars()
    {
        await using var build = await OverlappingBuild.StartAsync(registry);
        var agent = await AgentBinary.PathAsync();
        await using var terminal = await TmuxTerminal.StartAsync(build.Work, 150, 60, errors =>
            $"{agent} --root {build.Root} build --progress tty -t {registry.Host}/overlap/tty:1 {build.Context} 2>{errors}; echo agent-exited-$?; sleep 600");
        var screen = await terminal.WaitForScreen(s => s.Contains("agent-exited-")); // the last thing the command prints

        Assert.Contains("agent-exited-0", screen);
        var lines = screen.Split('\n').Select(l => l.TrimEnd()).ToList();
        foreach (var line in RunLines) Assert.Single(lines, l => l == line);
        var bar = Assert.Single(lines, l => l.Contains(build.HeldLayer)); // one bar: none left behind by torn redraws
        Assert.Contains("100%", bar);
        Assert.True(lines.IndexOf(bar) > lines.IndexOf("torn-whole"), screen); // the lines went above the bars
    }

    [Fact]
    public async Task PlainProgressLinesNeverSplitALineOfRunOutput()
    {
        await using var build = await OverlappingBuild.StartAsync(registry);
        var result = await AgentBinary.RunAsync(["--root", build.Root, "build", "--progress", "plain", "-t", $"{registry.Host}/overlap/plain:1", build.Context],
            environment: new Dictionary<string, string> { ["RUNTIME_AGENT_PROGRESS_INTERVAL"] = "0.001" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(Escape, result.Stdout + result.Stderr);
        var lines = result.Stdout.Split('\n').ToList();
        foreach (var line in RunLines) Assert.Single(lines, l => l == line);
        // The overlap happened: the held layer's progress lines came while the RUN was printing.
        var (first, last) = (lines.IndexOf(RunLines[0]), lines.IndexOf("torn-whole"));
        Assert.Contains(lines[first..last], l => l.StartsWith($"{build.HeldLayer}: downloading", StringComparison.Ordinal));
    }

    /// <summary>
    /// Stage 1 runs a RUN that prints <see cref="RunLines"/> (10 lines 0.1 s apart, then "torn-", 0.5 s, "whole");
    /// stage 2's FROM image comes through a front that holds its 4 MiB layer; the final stage copies from both.
    /// </summary>
    private sealed class OverlappingBuild : IAsyncDisposable
    {
        private readonly TempDirectory work = new();
        private readonly TaskCompletionSource holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private FlakyFront front = null!;
        private string heldDigest = "";

        public string Work => work.Path;
        public string Root => Path.Combine(work.Path, "root");
        public string Context => Path.Combine(work.Path, "context");
        public string HeldLayer => heldDigest[7..19];

        public static async Task<OverlappingBuild> StartAsync(AgentRegistryFixture registry)
        {
            var build = new OverlappingBuild();
            var baseImage = await registry.PushAsync(ImageBuilder.FromBusybox().Build());
            var noise = new byte[4 << 20];
            Random.Shared.NextBytes(noise);
            var held = ImageBuilder.FromBusybox().Layer(l => l.File("noise.bin", noise)).Build();
            var heldImage = await registry.PushAsync(held);
            build.heldDigest = held.Layers[1].Digest.ToString();
            build.front = await FlakyFront.StartAsync(registry.Server.BaseAddress, failures: 0, System.Net.HttpStatusCode.OK);
            build.front.Answer = build.AnswerAsync;
            build.front.CopyBody = build.CopyBodyAsync;
            var go = $"http://{build.front.Host}";
            Directory.CreateDirectory(build.Context);
            File.WriteAllText(Path.Combine(build.Context, "Dockerfile"), $"""
                FROM {baseImage} AS runner
                RUN echo ok >/ran; wget -q -O /dev/null {go}/go; i=1; while [ $i -le 10 ]; do echo run-line-$i; sleep 0.1; i=$((i + 1)); done; printf torn-; sleep 0.5; echo whole; wget -q -O /dev/null {go}/done
                FROM {heldImage.Replace(registry.Host, build.front.Host)} AS pulled
                FROM {baseImage}
                COPY --from=pulled /noise.bin /noise.bin
                COPY --from=runner /ran /ran
                """);
            // The runner's base is in the store already: the only pull of the build is the held one.
            var pull = await AgentBinary.RunAsync("--root", build.Root, "pull", "-q", baseImage);
            Assert.True(pull.ExitCode == 0, pull.ToString());
            return build;
        }

        /// <summary>/go answers once the layer is held (bounded); /done releases it.</summary>
        private async Task<bool> AnswerAsync(HttpContext context)
        {
            if (context.Request.Path == "/go") await holding.Task.WaitAsync(TimeSpan.FromSeconds(60));
            else if (context.Request.Path == "/done") released.TrySetResult();
            else return false;
            await context.Response.WriteAsync("ok");
            return true;
        }

        /// <summary>The held layer: 64 KiB, then 1 KiB every 20 ms until released (at most 60 s), then the rest.</summary>
        private async Task CopyBodyAsync(HttpContext context, Stream body)
        {
            var output = context.Response.Body;
            if (!context.Request.Path.Value!.EndsWith(heldDigest, StringComparison.Ordinal))
            {
                await body.CopyToAsync(output);
                return;
            }
            var first = new byte[64 * 1024];
            await output.WriteAsync(first.AsMemory(0, await body.ReadAtLeastAsync(first, first.Length, throwOnEndOfStream: false)));
            await output.FlushAsync();
            holding.TrySetResult();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var trickle = new byte[1024];
            while (!released.Task.IsCompleted && DateTime.UtcNow < deadline)
            {
                var read = await body.ReadAtLeastAsync(trickle, trickle.Length, throwOnEndOfStream: false);
                if (read == 0) return;
                await output.WriteAsync(trickle.AsMemory(0, read));
                await output.FlushAsync();
                await Task.WhenAny(released.Task, Task.Delay(20));
            }
            await body.CopyToAsync(output);
        }

        public async ValueTask DisposeAsync()
        {
            released.TrySetResult();
            await front.DisposeAsync();
            work.Dispose();
        }
    }
}
