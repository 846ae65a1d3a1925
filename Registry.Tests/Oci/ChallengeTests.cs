using Registry.Oci;

namespace Registry.Tests.Oci;

public class ChallengeTests
{
    [Fact]
    public void NamesRealmServiceAndScope() =>
        Assert.Equal("Bearer realm=\"http://127.0.0.1:5000/token\",service=\"registry\",scope=\"repository:org/app:pull\"",
            Challenge.Bearer("http://127.0.0.1:5000/token", "registry", new ResourceScope("repository", "org/app", ["pull"]), false));

    [Fact]
    public void AddsInsufficientScopeErrorWhenATokenLacksTheScope() =>
        Assert.EndsWith(",error=\"insufficient_scope\"",
            Challenge.Bearer("r", "s", new ResourceScope("repository", "org/app", ["push"]), true));

    [Fact]
    public void OmitsScopeWhenThereIsNone() =>
        Assert.Equal("Bearer realm=\"r\",service=\"s\"", Challenge.Bearer("r", "s", null, false));

    [Fact]
    public void EscapesQuotesSoAValueCannotBreakOut() =>
        Assert.Equal("Bearer realm=\"a\\\"b\",service=\"s\"", Challenge.Bearer("a\"b", "s", null, false));
}
