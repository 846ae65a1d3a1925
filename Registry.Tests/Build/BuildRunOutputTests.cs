namespace Registry.Tests.Build;

/// <summary>What a RUN step prints reaches the build's output whole and as valid UTF-8 (the agent writes a line longer
/// than 16 KiB in pieces, each ending on a character boundary). As root, against the published agent.</summary>
[Trait("Category", "Integration")]
public sealed class BuildRunOutputTests
{
    [Fact]
    public async Task ALongLineOfMultiByteCharactersIsCutOnlyBetweenCharacters()
    {
        await using var w = await BuildWorkspace.StartAsync();
        // 2-, 3- and 4-byte characters, 900,000 bytes on one line: dozens of pieces, cut wherever a pipe read ends.
        const string group = "é€😀";
        var line = string.Concat(Enumerable.Repeat(group, 100_000));
        w.Write("line.txt", line + "\nafter-the-long-line\n");
        w.Write("Dockerfile", $"FROM {w.BaseImage}\nCOPY line.txt /line.txt\nRUN cat /line.txt\n");

        var build = await w.BuildAsync($"{w.Registry}/long/line:1", "--progress", "plain");

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotContain('\uFFFD', build.Stdout); // what a broken UTF-8 sequence decodes to
        var lines = build.Stdout.Split('\n');
        var pieces = lines.Where(l => l.Length > 0 && l.All(c => c is 'é' or '€' || char.IsSurrogate(c))).ToList();
        Assert.True(pieces.Count > 1, $"{pieces.Count} piece(s): the line was not long enough to be cut");
        var joined = string.Concat(pieces);
        Assert.True(joined == line, $"the pieces hold {joined.Length} chars, the line {line.Length}");
        Assert.Contains("after-the-long-line", lines);
    }
}
