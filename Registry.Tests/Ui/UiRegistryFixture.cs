using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Registry.Oci;
using Registry.Tests.Auth.Http;
using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Ui;

/// <summary>
/// One registry with auth on for the browser tests: organization <c>acme</c> with a maintainer <c>dev</c> and a
/// reader <c>viewer</c> whose team may pull <c>acme/app</c> only; <c>acme/app:1.0</c> and <c>:old</c> pushed by skopeo
/// with a cosign-style signature referring to 1.0; a private <c>acme/secret</c>, a private <c>globex/internal</c> and a
/// public <c>globex/pub</c>.
/// </summary>
public sealed class UiRegistryFixture : IAsyncLifetime
{
    public const string SignatureType = "application/vnd.dev.cosign.artifact.sig.v1+json";

    public AuthTestServer Auth { get; private set; } = null!;
    public string ImageDigest { get; private set; } = "";
    public string SignatureDigest { get; private set; } = "";
    private readonly string work = Directory.CreateTempSubdirectory("ui-fixture-").FullName;

    public string Host => $"127.0.0.1:{Auth.Server.BaseAddress.Port}";

    public async Task InitializeAsync()
    {
        Auth = await AuthTestServer.StartAsync(TestDatabase.Sqlite);
        await Auth.CreateOrganizationAsync("acme");
        await Auth.CreateOrganizationAsync("globex");
        await Auth.CreateUserAsync("dev");
        await Auth.SetMemberAsync("acme", "dev", "maintainer");
        await Auth.CreateUserAsync("viewer");
        await Auth.SetMemberAsync("acme", "viewer", "reader");
        await Auth.CreateTeamAsync("acme", "readers", "app", ["pull"], "viewer");

        var layout = Path.Combine(work, "layout");
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("app/hello.txt", "hello from the ui test"))
            .Env("GREETING", "hello-ui").Entrypoint("/bin/sh", "-c").Cmd("cat /app/hello.txt").Label("org.opencontainers.image.title", "ui-demo").Build();
        OciLayout.Write(layout, ("v1", image));
        var creds = $"dev:{AuthTestServer.PasswordOf("dev")}";
        foreach (var tag in new[] { "1.0", "old" })
            await Skopeo.CopyAsync($"oci:{layout}:v1", $"docker://{Host}/acme/app:{tag}", "--dest-creds", creds);
        ImageDigest = await DigestOfAsync("acme/app", "1.0");
        SignatureDigest = await PushSignatureAsync("acme/app", ImageDigest);

        await Auth.Admin.PushImageAsync("acme/secret", "1", OciTestClient.RandomBytes(64));
        await Auth.Admin.PushImageAsync("globex/internal", "1", OciTestClient.RandomBytes(64));
        await Auth.Admin.PushImageAsync("globex/pub", "1", OciTestClient.RandomBytes(64));
        await Auth.SetVisibilityAsync("globex/pub", "public");
    }

    public async Task<string> DigestOfAsync(string repository, string reference)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
        using var response = await Auth.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("Docker-Content-Digest").Single();
    }

    /// <summary>The tags /v2 lists for <paramref name="repository"/> (as the administrator).</summary>
    public async Task<IReadOnlyList<string>> TagsAsync(string repository)
    {
        var body = await Auth.Admin.GetFromJsonAsync<JsonElement>($"/v2/{repository}/tags/list");
        return body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
    }

    // A signature as cosign stores it with the referrers API: an empty config, one payload layer, a subject.
    private async Task<string> PushSignatureAsync(string repository, string subject)
    {
        var empty = "{}"u8.ToArray();
        var payload = Encoding.UTF8.GetBytes("{\"critical\":{\"image\":{\"docker-manifest-digest\":\"" + subject + "\"}}}");
        var config = await Auth.Admin.PushBlobAsync(repository, empty);
        var layer = await Auth.Admin.PushBlobAsync(repository, payload);
        var subjectSize = (await Auth.Admin.GetByteArrayAsync($"/v2/{repository}/manifests/{subject}")).Length;
        var manifest = OciTestClient.ImageManifest(new { mediaType = MediaTypes.OciEmpty, digest = config, size = empty.Length },
            [new { mediaType = "application/vnd.dev.cosign.simplesigning.v1+json", digest = layer, size = payload.Length }],
            subject: new { mediaType = MediaTypes.OciManifest, digest = subject, size = subjectSize }, artifactType: SignatureType);
        var digest = OciTestClient.DigestOf(manifest);
        using var response = await Auth.Admin.PutManifestAsync(repository, digest, manifest, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return digest;
    }

    public async Task DisposeAsync()
    {
        await Auth.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }
}
