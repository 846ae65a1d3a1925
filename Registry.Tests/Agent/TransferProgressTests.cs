using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>
/// `push` and `watch` show their transfers as `pull` does (<see cref="ProgressDisplayTests"/>): bars with speed on a real
/// terminal (a tmux pane), plain lines and no escape sequence into a pipe, nothing with --quiet.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TransferProgressTests(AgentRegistryFixture registry) : IClassFixture<AgentRegistryFixture>
{
    private const char Escape = '\u001b';

    [Fact]
    public async Task PushOnATerminalDrawsABarPerUploadedBlob()
    {
        Assert.True(AgentBinary.IsRoot, "build's RUN needs root");
        using var root = new AgentRoot();
        var target = await BuildWithNewLayer(root, $"{registry.Host}/pushed/{Guid.NewGuid():N}:1");
        var agent = await AgentBinary.PathAsync();

        await using var terminal = await TmuxTerminal.StartAsync(root.Path, 150, 40, errors =>
            $"{agent} --root {root.Path} push {target} 2>{errors}; echo agent-exited-$?; sleep 600");
        var screen = await terminal.WaitForScreen(s => s.Contains("agent-exited-"));

        Assert.Contains("agent-exited-0", screen);
        var uploaded = screen.Split('\n').Where(l => l.Contains("uploaded")).ToList();
        Assert.Equal(2, uploaded.Count); // the RUN's layer and the new config; the base's layers are mounted
        Assert.All(uploaded, line => Assert.Contains("100%", line));
        Assert.Contains(uploaded, line => line.Contains("━") && line.Contains("MiB")); // the 8 MiB layer's drawn bar
        Assert.Contains(screen.Split('\n'), l => l.Contains("mounted from agent/"));
        Assert.DoesNotContain(": uploading ", screen);
        Assert.Contains("Digest: sha256:", screen);
    }

    [Fact]
    public async Task PipedPushPrintsUploadLinesWithoutEscapesAndQuietPrintsOnlyTheDigest()
    {
        Assert.True(AgentBinary.IsRoot, "build's RUN needs root");
        using var root = new AgentRoot();
        var repository = $"{registry.Host}/pushed/{Guid.NewGuid():N}";
        await BuildWithNewLayer(root, $"{repository}:1", $"{repository}:2");

        // A line per read at most every millisecond: the 8 MiB upload prints "uploading" lines on its way.
        var plain = await AgentBinary.RunAsync(["--root", root.Path, "push", $"{repository}:1"],
            environment: new Dictionary<string, string> { ["RUNTIME_AGENT_PROGRESS_INTERVAL"] = "0.001" });
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.DoesNotContain(Escape, plain.Stdout + plain.Stderr);
        Assert.Contains(": uploading ", plain.Stdout);
        Assert.Equal(2, plain.Stdout.Split('\n').Count(l => l.Contains(": uploaded (")));
        Assert.Contains($"{repository}:1: pushed manifest sha256:", plain.Stdout);

        var quiet = await root.RunOkAsync("push", "--quiet", $"{repository}:2");
        Assert.Matches("^Digest: sha256:[0-9a-f]{64}\n$", quiet.Stdout);
    }

    [Fact]
    public async Task WatchOnATerminalDrawsBarsForEachPull()
    {
        var noise = new byte[4 << 20];
        Random.Shared.NextBytes(noise);
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("noise.bin", noise)).Build();
        var reference = await registry.PushAsync(image, "v1");
        var repository = reference[(registry.Host.Length + 1)..reference.LastIndexOf(':')];
        using var work = new TempDirectory();
        var agent = await AgentBinary.PathAsync();

        // The watcher starts at the feed's oldest event, so the push above is among the first it handles.
        await using var terminal = await TmuxTerminal.StartAsync(work.Path, 150, 40, errors =>
            $"{agent} --root {work.Path}/root watch {registry.Host} --repository {repository} 2>{errors}; echo agent-exited-$?; sleep 600");
        var screen = await terminal.WaitForScreen(s => s.Contains($"pulled {reference}") || s.Contains("agent-exited-"));

        Assert.Contains($"pulled {reference}", screen);
        var bar = Assert.Single(screen.Split('\n'), l => l.Contains(image.Layers[1].Digest.ToString()[7..19]));
        Assert.Contains("100%", bar);
        Assert.Contains("━", bar);
        Assert.DoesNotContain(": downloading ", screen);
    }

    /// <summary>Builds FROM a pushed busybox image with a RUN that writes 8 MiB of noise (a layer push must upload).</summary>
    private async Task<string> BuildWithNewLayer(AgentRoot root, params string[] tags)
    {
        var from = await registry.PushAsync(ImageBuilder.FromBusybox().Layer(l => l.File("base", Guid.NewGuid().ToString())).Build());
        using var context = new TempDirectory();
        File.WriteAllText(Path.Combine(context.Path, "Dockerfile"), $"FROM {from}\nRUN head -c 8388608 /dev/urandom >/noise.bin\n");
        await root.RunOkAsync(["build", .. tags.SelectMany(t => new[] { "-t", t }), "--quiet", context.Path]);
        return tags[0];
    }
}
