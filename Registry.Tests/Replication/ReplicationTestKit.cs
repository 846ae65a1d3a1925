using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Registry.Oci;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Replication;

/// <summary>Pushing test content (an image, an index, a signature) to a source registry and waiting for a rule's status.</summary>
public static class ReplicationTestKit
{
    /// <summary>Pushes two untagged-by-pattern children and an index over them under <paramref name="tag"/>; the index digest and the children.</summary>
    public static async Task<(string Index, string[] Children)> PushIndexAsync(HttpClient client, string repository, string tag)
    {
        var children = new List<(string Digest, int Size)>();
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            var (bytes, digest) = await client.PushImageAsync(repository, $"child-{arch}-{Guid.NewGuid():N}"[..20], OciTestClient.RandomBytes(128));
            children.Add((digest, bytes.Length));
        }
        var index = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2, mediaType = MediaTypes.OciIndex,
            manifests = children.Select((c, i) => new { mediaType = MediaTypes.OciManifest, digest = c.Digest, size = c.Size,
                platform = new { architecture = i == 0 ? "amd64" : "arm64", os = "linux" } }),
        });
        using var response = await client.PutManifestAsync(repository, tag, index, MediaTypes.OciIndex);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (OciTestClient.DigestOf(index), [.. children.Select(c => c.Digest)]);
    }

    /// <summary>Polls a rule until <paramref name="until"/> holds for it (or 60 s pass); returns the last answer.</summary>
    public static async Task<JsonElement> WaitForRuleAsync(AuthTestServer source, string org, long id, Func<JsonElement, bool> until)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(250))
        {
            var rule = await AuthTestServer.Expect(await source.Admin.GetAsync($"/api/v1/orgs/{org}/replications/{id}"), HttpStatusCode.OK);
            if (until(rule) || DateTime.UtcNow > deadline) return rule;
        }
    }

    public static async Task<long> CreateRuleAsync(AuthTestServer source, string org, object rule) =>
        (await AuthTestServer.Expect(await source.Admin.PostAsJsonAsync($"/api/v1/orgs/{org}/replications", rule), HttpStatusCode.Created)).GetProperty("id").GetInt64();

    public static JsonElement Status(this JsonElement rule) => rule.GetProperty("status");

    /// <summary>Asserts that <paramref name="target"/> serves exactly the bytes <paramref name="source"/> serves for a manifest.</summary>
    public static async Task AssertSameManifestAsync(HttpClient source, string sourceName, HttpClient target, string targetName, string reference)
    {
        var expected = await source.GetByteArrayAsync($"/v2/{sourceName}/manifests/{reference}");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{targetName}/manifests/{reference}");
        request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
        request.Headers.Accept.ParseAdd(MediaTypes.OciIndex);
        using var response = await target.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{targetName}:{reference} answered {(int)response.StatusCode} on the target");
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
    }
}
