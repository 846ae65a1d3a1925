using System.Runtime.Versioning;
using RuntimeAgent.Build.Context;

namespace Registry.Tests.Build;

[SupportedOSPlatform("linux")]
public sealed class IgnoreRulesTests
{
    private static IgnoreRules Rules(params string[] lines) => new(lines);

    [Theory]
    [InlineData("secret.txt", true)]
    [InlineData("dir/secret.txt", false)]
    [InlineData("logs", true)]
    [InlineData("logs/a/b.log", true)]
    [InlineData("src/a.tmp", true)]
    [InlineData("src/deep/a.tmp", false)]
    [InlineData("x/y/z/cache/f", true)]
    [InlineData("cache/f", true)]
    [InlineData("notcache/f", false)]
    [InlineData("keep.md", false)]
    [InlineData("other.md", true)]
    [InlineData("f1", true)]
    [InlineData("f12", false)]
    [InlineData("build.c", false)]
    public void MatchesPatternsExceptionsAndDoubleStar(string path, bool excluded)
    {
        var rules = Rules("# comment", "secret.txt", "/logs/", "src/*.tmp", "**/cache", "*.md", "!keep.md", "f?", "");
        Assert.Equal(excluded, rules.IsExcluded(path));
    }

    [Fact]
    public void LastMatchingRuleWins()
    {
        var rules = Rules("docs", "!docs/keep", "docs/keep/private");
        Assert.True(rules.IsExcluded("docs/a"));
        Assert.False(rules.IsExcluded("docs/keep/b"));
        Assert.True(rules.IsExcluded("docs/keep/private/c"));
        Assert.True(rules.HasExceptions);
    }

    [Fact]
    public void DoubleStarAloneExcludesEverythingAndExceptionsReinclude()
    {
        var rules = Rules("**", "!app/**");
        Assert.True(rules.IsExcluded("Recipe"));
        Assert.False(rules.IsExcluded("app/main.c"));
    }

    [Fact]
    public void CharacterClassesAndEscapes()
    {
        var rules = Rules("[ab].txt", "[!c]x", "star\\*");
        Assert.True(rules.IsExcluded("a.txt"));
        Assert.False(rules.IsExcluded("c.txt"));
        Assert.True(rules.IsExcluded("dx"));
        Assert.False(rules.IsExcluded("cx"));
        Assert.True(rules.IsExcluded("star*"));
        Assert.False(rules.IsExcluded("starx"));
    }

    [Fact]
    public void NoFileMeansNothingExcluded()
    {
        var dir = Directory.CreateTempSubdirectory("ignore-");
        try { Assert.False(IgnoreRules.Load(dir.FullName).IsExcluded("anything")); }
        finally { dir.Delete(true); }
    }
}
