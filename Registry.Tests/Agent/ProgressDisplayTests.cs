using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>
/// `--progress auto|tty|plain` for pull, run and build: bars on a real terminal (a tmux pane: the agent's stdout or
/// stderr is a pty), plain lines and never an escape sequence when the output is a pipe, bars into a pipe only when asked.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ProgressDisplayTests(AgentRegistryFixture registry) : IClassFixture<AgentRegistryFixture>
{
    private const char Escape = '\u001b';

    [Fact]
    public async Task PullOnATerminalDrawsBarsPerLayer()
    {
        var (reference, image) = await PushImage();
        using var work = new TempDirectory();
        var agent = await AgentBinary.PathAsync();

        await using var terminal = await TmuxTerminal.StartAsync(work.Path, 150, 40, errors =>
            $"{agent} --root {work.Path}/root pull {reference} 2>{errors}; echo agent-exited-$?; sleep 600");
        var screen = await terminal.WaitForScreen(s => s.Contains("agent-exited-"));

        Assert.Contains("agent-exited-0", screen);
        Assert.Contains($"Digest: {image.Digest}", screen);
        var bar = Assert.Single(screen.Split('\n'), l => l.Contains(ShortDigest(image)));
        Assert.Contains("100%", bar);
        Assert.Contains("━", bar); // a drawn bar, not a plain "downloading" line
        Assert.DoesNotContain(": downloading ", screen);
    }

    [Fact]
    public async Task RunOfAMissingImageDrawsBarsOnAStderrTerminalThenTheContainerOutput()
    {
        Assert.True(AgentBinary.IsRoot, "run needs root");
        var (reference, image) = await PushImage();
        using var work = new TempDirectory();
        var agent = await AgentBinary.PathAsync();

        // stdout to a file: the container's output stays clean while the bars go to the terminal on stderr.
        await using var terminal = await TmuxTerminal.StartAsync(work.Path, 150, 40, _ =>
            $"{agent} --root {work.Path}/root run {reference} echo from-the-container >{work.Path}/out; echo agent-exited-$?; sleep 600");
        var screen = await terminal.WaitForScreen(s => s.Contains("agent-exited-"));

        Assert.Contains("agent-exited-0", screen);
        Assert.Contains("100%", Assert.Single(screen.Split('\n'), l => l.Contains(ShortDigest(image))));
        Assert.Equal("from-the-container\n", File.ReadAllText(Path.Combine(work.Path, "out")));
    }

    [Fact]
    public async Task PlainOnATerminalPrintsLines()
    {
        var (reference, image) = await PushImage();
        using var work = new TempDirectory();
        var agent = await AgentBinary.PathAsync();

        await using var terminal = await TmuxTerminal.StartAsync(work.Path, 150, 40, errors =>
            $"{agent} --root {work.Path}/root pull --progress plain {reference} 2>{errors}; echo agent-exited-$?; sleep 600");
        var screen = await terminal.WaitForScreen(s => s.Contains("agent-exited-"));

        Assert.Contains("agent-exited-0", screen);
        Assert.Contains($"{ShortDigest(image)}: downloaded", screen);
        Assert.DoesNotContain("━", screen);
    }

    [Fact]
    public async Task PipedOutputHasNoEscapesUnlessTtyIsAsked()
    {
        var (reference, image) = await PushImage();
        using var root = new AgentRoot();
        using var ttyRoot = new AgentRoot();

        var auto = await root.RunOkAsync("pull", reference);
        var tty = await ttyRoot.RunOkAsync("pull", "--progress", "tty", reference);

        Assert.DoesNotContain(Escape, auto.Stdout + auto.Stderr);
        Assert.Contains($"{ShortDigest(image)}: downloaded", auto.Stdout);
        Assert.Contains(Escape, tty.Stdout);
        Assert.EndsWith($"Digest: {image.Digest}\n", tty.Stdout);
    }

    [Fact]
    public async Task BuildDrawsBarsForItsFromPullOnATerminal()
    {
        var (reference, image) = await PushImage();
        using var work = new TempDirectory();
        var context = Directory.CreateDirectory(Path.Combine(work.Path, "context")).FullName;
        File.WriteAllText(Path.Combine(context, "Dockerfile"), $"FROM {reference}\nLABEL built=yes\n");
        var agent = await AgentBinary.PathAsync();

        await using var terminal = await TmuxTerminal.StartAsync(work.Path, 150, 40, errors =>
            $"{agent} --root {work.Path}/root build -t {registry.Host}/built/app:1 {context} 2>{errors}; echo agent-exited-$?; sleep 600");
        var screen = await terminal.WaitForScreen(s => s.Contains("agent-exited-"));

        Assert.Contains("agent-exited-0", screen);
        Assert.Contains("100%", Assert.Single(screen.Split('\n'), l => l.Contains(ShortDigest(image))));
        Assert.Contains("Digest: sha256:", screen);
    }

    private static string ShortDigest(TestImage image) => image.Layers[1].Digest.ToString()[7..19];

    /// <summary>Busybox plus a 4 MiB layer of incompressible bytes, under a fresh name.</summary>
    private async Task<(string Reference, TestImage Image)> PushImage()
    {
        var noise = new byte[4 << 20];
        Random.Shared.NextBytes(noise);
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("noise.bin", noise)).Build();
        return (await registry.PushAsync(image), image);
    }
}
