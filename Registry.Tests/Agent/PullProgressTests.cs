using System.Text.RegularExpressions;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>
/// Pull progress off a terminal: plain lines per layer while it downloads (the interval shortened through
/// $RUNTIME_AGENT_PROGRESS_INTERVAL so a loopback pull shows several), on stdout for `pull`, on stderr for `run` (whose
/// stdout is the container's), none with --quiet.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PullProgressTests(AgentRegistryFixture registry) : IClassFixture<AgentRegistryFixture>
{
    private static readonly Dictionary<string, string> Frequent = new() { ["RUNTIME_AGENT_PROGRESS_INTERVAL"] = "0.001" };

    [Fact]
    public async Task PullPrintsDownloadLinesPerLayerOffATerminal()
    {
        var (reference, image) = await PushLargeImage();
        using var root = new AgentRoot();

        var pull = await AgentBinary.RunAsync(["--root", root.Path, "pull", reference], environment: Frequent);

        Assert.True(pull.ExitCode == 0, pull.ToString());
        var large = image.Layers[1].Digest.ToString()[7..19];
        var lines = pull.Stdout.Split('\n').Where(l => l.Contains(large)).ToList();
        Assert.True(lines.Count(l => Regex.IsMatch(l, @": downloading [\d.]+ [KM]iB of 25\.\d MiB \(\d+%\), [\d.]+ [KMG]?i?B/s$")) >= 2, pull.Stdout);
        Assert.Contains(lines, l => l.Contains("downloaded"));
        Assert.EndsWith($"Digest: {image.Digest}\n", pull.Stdout);
    }

    [Fact]
    public async Task QuietPullPrintsOnlyTheDigest()
    {
        var (reference, image) = await PushLargeImage();
        using var root = new AgentRoot();

        var pull = await AgentBinary.RunAsync(["--root", root.Path, "pull", "-q", reference], environment: Frequent);

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Equal($"Digest: {image.Digest}\n", pull.Stdout);
    }

    [Fact]
    public async Task RunOfAMissingImageShowsProgressOnStderrAndKeepsStdoutForTheContainer()
    {
        Assert.True(AgentBinary.IsRoot, "run needs root");
        var (reference, image) = await PushLargeImage();
        using var root = new AgentRoot();

        var run = await AgentBinary.RunAsync(["--root", root.Path, "run", reference, "echo", "from-the-container"], environment: Frequent);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("from-the-container\n", run.Stdout);
        Assert.Contains(run.Stderr.Split('\n'), l => l.Contains(image.Layers[1].Digest.ToString()[7..19]) && l.Contains(": downloading "));

        using var quietRoot = new AgentRoot();
        var quiet = await AgentBinary.RunAsync(["--root", quietRoot.Path, "run", "--quiet", reference, "true"], environment: Frequent);
        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.Equal("", quiet.Stderr);
    }

    /// <summary>Busybox plus a 24 MiB layer of incompressible bytes, under a fresh name.</summary>
    private async Task<(string Reference, TestImage Image)> PushLargeImage()
    {
        var noise = new byte[24 << 20];
        Random.Shared.NextBytes(noise);
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("noise.bin", noise)).Build();
        return (await registry.PushAsync(image), image);
    }
}
