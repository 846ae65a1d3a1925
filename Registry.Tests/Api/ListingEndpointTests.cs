using System.Net;
using System.Text.Json;
using Registry.Oci;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

public abstract class ListingEndpointTests(RegistryFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task TagsAreListedInLexicalOrderAndPaginatedWithLink()
    {
        var repository = OciTestClient.UniqueRepository();
        var (manifest, _) = await Client.PushImageAsync(repository, "b", OciTestClient.RandomBytes(5));
        foreach (var tag in new[] { "a", "C", "c", "_x", "a1" })
            (await Client.PutManifestAsync(repository, tag, manifest, MediaTypes.OciManifest)).Dispose();

        using var all = await Client.GetAsync($"/v2/{repository}/tags/list");
        Assert.Equal(["C", "_x", "a", "a1", "b", "c"], await TagsOf(all));
        Assert.False(all.Headers.Contains("Link"));

        using var first = await Client.GetAsync($"/v2/{repository}/tags/list?n=2");
        Assert.Equal(["C", "_x"], await TagsOf(first));
        var link = first.Headers.GetValues("Link").Single();
        Assert.Equal($"</v2/{repository}/tags/list?n=2&last=_x>; rel=\"next\"", link);

        using var second = await Client.GetAsync(link[1..link.IndexOf('>')]);
        Assert.Equal(["a", "a1"], await TagsOf(second));
        using var last = await Client.GetAsync($"/v2/{repository}/tags/list?n=2&last=a1");
        Assert.Equal(["b", "c"], await TagsOf(last));
        Assert.False(last.Headers.Contains("Link"));
    }

    [Fact]
    public async Task TagsOfUnknownRepositoryIsNameUnknown()
    {
        using var response = await Client.GetAsync($"/v2/{OciTestClient.UniqueRepository()}/tags/list");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task NonNumericPageSizeIsRefused()
    {
        var repository = OciTestClient.UniqueRepository();
        await Client.PushImageAsync(repository, "a", OciTestClient.RandomBytes(5));
        using var response = await Client.GetAsync($"/v2/{repository}/tags/list?n=many");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task CatalogPagesThroughRepositoriesWithLink()
    {
        var prefix = $"cat{Guid.NewGuid():N}";
        foreach (var name in new[] { "b", "a", "c/d" })
            await Client.PushBlobAsync($"{prefix}/{name}", OciTestClient.RandomBytes(5));

        var seen = new List<string>();
        string? next = $"/v2/_catalog?n=2&last={prefix}";
        while (next is not null && seen.Count < 3)
        {
            using var page = await Client.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            using var json = JsonDocument.Parse(await page.Content.ReadAsStringAsync());
            var names = json.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.True(names.Count <= 2);
            seen.AddRange(names);
            next = page.Headers.TryGetValues("Link", out var links) ? links.Single()[1..links.Single().IndexOf('>')] : null;
        }
        Assert.Equal([$"{prefix}/a", $"{prefix}/b", $"{prefix}/c/d"], seen.Take(3));
    }

    [Fact]
    public async Task ReferrersListsManifestsWithTheSubjectAndFiltersByArtifactType()
    {
        var repository = OciTestClient.UniqueRepository();
        var (image, imageDigest) = await Client.PushImageAsync(repository, "v1", OciTestClient.RandomBytes(5));
        var subject = new { mediaType = MediaTypes.OciManifest, digest = imageDigest, size = image.Length };
        var empty = "{}"u8.ToArray();
        var emptyDigest = await Client.PushBlobAsync(repository, empty);
        var emptyConfig = new { mediaType = MediaTypes.OciEmpty, digest = emptyDigest, size = 2 };

        var signature = OciTestClient.ImageManifest(emptyConfig, [], subject, "application/vnd.example.signature",
            new Dictionary<string, string> { ["org.example.signer"] = "me" });
        using var putSignature = await Client.PutManifestAsync(repository, OciTestClient.DigestOf(signature), signature, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Created, putSignature.StatusCode);
        Assert.Equal(imageDigest, putSignature.Headers.GetValues("OCI-Subject").Single());
        var sbom = OciTestClient.ImageManifest(emptyConfig, [], subject, "application/vnd.example.sbom");
        (await Client.PutManifestAsync(repository, OciTestClient.DigestOf(sbom), sbom, MediaTypes.OciManifest)).Dispose();

        using var all = await Client.GetAsync($"/v2/{repository}/referrers/{imageDigest}");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(MediaTypes.OciIndex, all.Content.Headers.ContentType!.MediaType);
        Assert.False(all.Headers.Contains("OCI-Filters-Applied"));
        using var allJson = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
        var descriptors = allJson.RootElement.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(2, descriptors.Count);
        var signatureEntry = descriptors.Single(d => d.GetProperty("digest").GetString() == OciTestClient.DigestOf(signature));
        Assert.Equal("application/vnd.example.signature", signatureEntry.GetProperty("artifactType").GetString());
        Assert.Equal(signature.Length, signatureEntry.GetProperty("size").GetInt64());
        Assert.Equal("me", signatureEntry.GetProperty("annotations").GetProperty("org.example.signer").GetString());

        using var filtered = await Client.GetAsync($"/v2/{repository}/referrers/{imageDigest}?artifactType=application/vnd.example.sbom");
        Assert.Equal("artifactType", filtered.Headers.GetValues("OCI-Filters-Applied").Single());
        using var filteredJson = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync());
        var only = Assert.Single(filteredJson.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(OciTestClient.DigestOf(sbom), only.GetProperty("digest").GetString());
    }

    [Fact]
    public async Task ReferrersOfASubjectWithoutReferrersIsAnEmptyIndex()
    {
        using var response = await Client.GetAsync($"/v2/{OciTestClient.UniqueRepository()}/referrers/sha256:{new string('f', 64)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MediaTypes.OciIndex, response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, json.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Empty(json.RootElement.GetProperty("manifests").EnumerateArray());
    }

    private static async Task<List<string>> TagsOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("tags").EnumerateArray().Select(e => e.GetString()!).ToList();
    }
}

public sealed class ListingEndpointTestsOnSqlite(SqliteRegistryFixture fixture) : ListingEndpointTests(fixture), IClassFixture<SqliteRegistryFixture>;

[Trait("Category", "Integration")]
public sealed class ListingEndpointTestsOnPostgres(PostgresRegistryFixture fixture) : ListingEndpointTests(fixture), IClassFixture<PostgresRegistryFixture>;
