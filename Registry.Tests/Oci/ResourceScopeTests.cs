using Registry.Oci;

namespace Registry.Tests.Oci;

public class ResourceScopeTests
{
    [Fact]
    public void ParsesRepositoryScopeWithSeveralActions()
    {
        Assert.True(ResourceScope.TryParse("repository:org/team/app:pull,push", out var scope));
        Assert.Equal(("repository", "org/team/app"), (scope.Type, scope.Name));
        Assert.Equal(["pull", "push"], scope.Actions);
    }

    [Fact]
    public void ParsesCatalogScope()
    {
        Assert.True(ResourceScope.TryParse("registry:catalog:*", out var scope));
        Assert.True(scope.IsCatalog);
    }

    [Fact]
    public void DropsTheResourceClass()
    {
        Assert.True(ResourceScope.TryParse("repository(plugin):org/app:pull", out var scope));
        Assert.Equal("repository", scope.Type);
    }

    [Fact]
    public void KeepsColonsInsideTheName()
    {
        Assert.True(ResourceScope.TryParse("repository:host:5000/app:pull", out var scope));
        Assert.Equal("host:5000/app", scope.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("repository")]
    [InlineData("repository:org/app")]
    [InlineData("repository:org/app:")]
    [InlineData(":org/app:pull")]
    [InlineData("repository::pull")]
    public void RejectsMalformedScopes(string text) => Assert.False(ResourceScope.TryParse(text, out _));

    [Fact]
    public void ParseManySplitsSpaceSeparatedValuesAndSkipsGarbage()
    {
        var scopes = ResourceScope.ParseMany(["repository:a/b:pull repository:c/d:push", "nonsense", null]);
        Assert.Equal(["repository:a/b:pull", "repository:c/d:push"], scopes.Select(s => s.ToString()));
    }

    [Fact]
    public void RoundTripsThroughToString() =>
        Assert.Equal("repository:org/app:pull,push", ResourceScope.Parse("repository:org/app:pull,push").ToString());
}
