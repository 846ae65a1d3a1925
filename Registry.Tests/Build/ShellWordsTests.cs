using System.Runtime.Versioning;
using RuntimeAgent.Build.Recipe;

namespace Registry.Tests.Build;

[SupportedOSPlatform("linux")]
public sealed class ShellWordsTests
{
    private static readonly Dictionary<string, string> Vars = new() { ["A"] = "apple", ["EMPTY"] = "", ["SP"] = "a b" };
    private static string Expand(string raw) => new ShellWords().Expand(raw, n => Vars.GetValueOrDefault(n));

    [Theory]
    [InlineData("$A", "apple")]
    [InlineData("${A}s", "apples")]
    [InlineData("x$A-y", "xapple-y")]
    [InlineData("$UNSET|", "|")]
    [InlineData("${UNSET:-dflt}", "dflt")]
    [InlineData("${EMPTY:-dflt}", "dflt")]
    [InlineData("${EMPTY-dflt}", "")]
    [InlineData("${A:-dflt}", "apple")]
    [InlineData("${A:+alt}", "alt")]
    [InlineData("${UNSET:+alt}", "")]
    [InlineData("${EMPTY:+alt}", "")]
    [InlineData("${EMPTY+alt}", "alt")]
    [InlineData("${UNSET:-$A/x}", "apple/x")]
    [InlineData("\\$A", "$A")]
    [InlineData("'$A'", "$A")]
    [InlineData("\"$A b\"", "apple b")]
    [InlineData("\"\\\"q\\\"\"", "\"q\"")]
    [InlineData("\"a\\nb\"", "a\\nb")]
    [InlineData("$", "$")]
    [InlineData("100$", "100$")]
    public void ExpandsLikeDocker(string raw, string expected) => Assert.Equal(expected, Expand(raw));

    [Fact]
    public void SplitsOnUnquotedWhitespaceOnly() =>
        Assert.Equal(["a", "\"b c\"", "'d e'", "f\\ g"], new ShellWords().SplitRaw("a  \"b c\" 'd e' f\\ g"));

    [Fact]
    public void ExpandedValueIsNotResplit() =>
        Assert.Equal(["a b", "x"], new ShellWords().ExpandAll("$SP x", n => Vars.GetValueOrDefault(n)));

    [Fact]
    public void RequiredVariableErrorsWhenUnset() =>
        Assert.Contains("must be set", Assert.Throws<FormatException>(() => Expand("${UNSET:?must be set}")).Message);

    [Theory]
    [InlineData("${A")]
    [InlineData("${}")]
    [InlineData("${A%x}")]
    public void RejectsBadSubstitution(string raw) => Assert.Throws<FormatException>(() => Expand(raw));
}
