using Registry.Api.Routing;

namespace Registry.Tests.Core;

public sealed class OciRouteTests
{
    [Theory]
    [InlineData("app/blobs/sha256:abc", OciRouteKind.Blob, "app", "sha256:abc")]
    [InlineData("org/team/app/blobs/sha256:abc", OciRouteKind.Blob, "org/team/app", "sha256:abc")]
    [InlineData("org/app/blobs/uploads/", OciRouteKind.UploadStart, "org/app", "")]
    [InlineData("org/app/blobs/uploads", OciRouteKind.UploadStart, "org/app", "")]
    [InlineData("org/app/blobs/uploads/0123abcd", OciRouteKind.Upload, "org/app", "0123abcd")]
    [InlineData("org/app/manifests/latest", OciRouteKind.Manifest, "org/app", "latest")]
    [InlineData("org/app/tags/list", OciRouteKind.Tags, "org/app", "")]
    [InlineData("org/app/referrers/sha256:abc", OciRouteKind.Referrers, "org/app", "sha256:abc")]
    // Names may contain the route's own keywords as components.
    [InlineData("blobs/manifests/manifests/v1", OciRouteKind.Manifest, "blobs/manifests", "v1")]
    [InlineData("tags/list/tags/list", OciRouteKind.Tags, "tags/list", "")]
    [InlineData("a/blobs/uploads/blobs/uploads/", OciRouteKind.UploadStart, "a/blobs/uploads", "")]
    public void ParsesTheRouteFromTheRight(string path, OciRouteKind kind, string name, string reference)
    {
        var route = OciRoute.Parse(path);
        Assert.NotNull(route);
        Assert.Equal(new OciRoute(kind, name, reference), route);
    }

    [Theory]
    [InlineData("")]
    [InlineData("app")]
    [InlineData("app/manifests")]
    [InlineData("manifests/latest")]
    [InlineData("/manifests/latest")]
    [InlineData("app/unknown/x")]
    [InlineData("_catalog")]
    public void RejectsPathsThatAreNotRepositoryRoutes(string path) => Assert.Null(OciRoute.Parse(path));

    [Fact]
    public void KeepsInvalidNamesForTheFilterToRefuse()
    {
        // The parser decides the shape; NAME_INVALID is answered by the /v2 filter with a clear message.
        Assert.Equal("../x", OciRoute.Parse("../x/manifests/v1")!.Name);
        Assert.Equal("A/b", OciRoute.Parse("A/b/tags/list")!.Name);
    }
}
