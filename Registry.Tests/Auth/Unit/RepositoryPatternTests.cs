using Registry.Auth.Permissions;

namespace Registry.Tests.Auth.Unit;

public class RepositoryPatternTests
{
    [Theory]
    [InlineData("base/*", "base/debian", true)]
    [InlineData("base/*", "base/debian/slim", true)]
    [InlineData("base/*", "based/debian", false)]
    [InlineData("base/*", "base", false)]
    [InlineData("app-*", "app-web", true)]
    [InlineData("app-*", "app-", true)]
    [InlineData("app-*", "myapp-web", false)]
    [InlineData("*", "anything/at/all", true)]
    [InlineData("*-svc", "billing-svc", true)]
    [InlineData("*-svc", "billing-svc2", false)]
    [InlineData("web", "web", true)]
    [InlineData("web", "web2", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    public void MatchesNamespaceRelativeNames(string pattern, string name, bool expected) =>
        Assert.Equal(expected, RepositoryPattern.Parse(pattern).Matches(name));

    [Theory]
    [InlineData("")]
    [InlineData("Base/*")]
    [InlineData("base/?")]
    [InlineData("base/[a]")]
    [InlineData("base\\x")]
    public void RejectsPatternsOutsideTheRepositoryAlphabet(string pattern) =>
        Assert.False(RepositoryPattern.TryParse(pattern, out _));

    [Fact]
    public void ManyStarsAgainstALongNonMatchingNameFinishQuickly()
    {
        // A regex-based matcher backtracks exponentially here; the iterative one stays linear-ish.
        var pattern = RepositoryPattern.Parse(string.Concat(Enumerable.Repeat("a*", 40)) + "b");
        Assert.False(pattern.Matches(new string('a', 200)));
    }
}
