using Registry.Oci;

namespace Registry.Tests.Oci;

/// <summary>Parsing what users type as image references and what registries send as auth challenges.</summary>
public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("localhost:5000/org/app:1.0", "localhost:5000", "org/app", "1.0")]
    [InlineData("127.0.0.1:5000/app", "127.0.0.1:5000", "app", "latest")]
    [InlineData("registry.example.com/team/sub/app:v2.1-rc", "registry.example.com", "team/sub/app", "v2.1-rc")]
    [InlineData("busybox", "docker.io", "library/busybox", "latest")]
    [InlineData("someone/tool:3", "docker.io", "someone/tool", "3")]
    [InlineData("localhost/app", "localhost", "app", "latest")]
    public void ParsesRegistryRepositoryAndTag(string text, string registry, string repository, string tag)
    {
        var reference = ImageReference.Parse(text);

        Assert.Equal((registry, repository, tag), (reference.Registry, reference.Repository, reference.Tag));
        Assert.Null(reference.Digest);
    }

    [Fact]
    public void ParsesADigestReferenceAndAsksForTheDigest()
    {
        var digest = "sha256:" + new string('a', 64);

        var reference = ImageReference.Parse($"host:5000/org/app@{digest}");

        Assert.Equal(("host:5000", "org/app", (string?)null), (reference.Registry, reference.Repository, reference.Tag));
        Assert.Equal(digest, reference.ManifestReference);
        Assert.Equal($"host:5000/org/app@{digest}", reference.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:5000/Org/App:1")]
    [InlineData("host:5000/org/app:bad tag")]
    [InlineData("host:5000/org/app@sha256:short")]
    [InlineData("host:5000/org//app")]
    public void RefusesMalformedReferences(string text) =>
        Assert.Throws<FormatException>(() => ImageReference.Parse(text));

    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("127.0.0.1:40123", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("registry.example.com", false)]
    [InlineData("10.0.0.1:5000", false)]
    public void OnlyLoopbackRegistriesDefaultToPlainHttp(string registry, bool loopback) =>
        Assert.Equal(loopback, ImageReference.IsLoopback(registry));

    [Fact]
    public void ParsesABearerChallengeWithQuotedCommas()
    {
        var challenge = Challenge.Parse(
            "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:org/app:pull,push\"")!;

        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.example.com/token", challenge["realm"]);
        Assert.Equal("registry.example.com", challenge["service"]);
        Assert.Equal("repository:org/app:pull,push", challenge["scope"]);
    }

    [Fact]
    public void ParsesABasicChallenge()
    {
        var challenge = Challenge.Parse("Basic realm=\"Registry Realm\"")!;

        Assert.True(challenge.IsBasic);
        Assert.Equal("Registry Realm", challenge["realm"]);
    }

    [Theory]
    [InlineData("https://localhost:5000/", "localhost:5000")]
    [InlineData("http://Host.Example.com/v2/", "host.example.com")]
    [InlineData("index.docker.io", "docker.io")]
    public void NormalizesLoginRegistryNames(string given, string expected) =>
        Assert.Equal(expected, ImageReference.NormalizeRegistry(given));
}
