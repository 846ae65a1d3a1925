using System.Net;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

/// <summary>Dedup, restart and concurrency: each test runs its own server so it can count files or restart it.</summary>
public abstract class StorageBehaviourTests
{
    protected abstract TestDatabase Database { get; }

    [Fact]
    public async Task LayerPushedToTwentyRepositoriesIsStoredOnce()
    {
        await using var server = await RegistryServer.StartAsync(Database);
        var layer = OciTestClient.RandomBytes(256 * 1024);
        for (var i = 0; i < 20; i++) await server.Client.PushBlobAsync($"dedup/repo{i}", layer);

        var blobFiles = Directory.GetFiles(Path.Combine(server.DataDirectory, "blobs"), "*", SearchOption.AllDirectories);
        Assert.Single(blobFiles);
        Assert.Equal(layer.Length, blobFiles.Sum(f => new FileInfo(f).Length));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(server.DataDirectory, "uploads")));
        for (var i = 0; i < 20; i++)
        {
            using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/dedup/repo{i}/blobs/{OciTestClient.DigestOf(layer)}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }
    }

    [Fact]
    public async Task ChunkedUploadBegunBeforeARestartCanBeFinishedAfterIt()
    {
        await using var server = await RegistryServer.StartAsync(Database);
        var content = OciTestClient.RandomBytes(300_000);
        var location = await server.Client.StartUploadAsync("restart/app");
        using (var first = await server.Client.PatchChunkAsync(location, content[..100_000], "0-99999"))
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        await server.StopAsync();
        await server.StartAsync();

        using var status = await server.Client.GetAsync(location);
        Assert.Equal("0-99999", status.Headers.GetValues("Range").Single());
        using (var second = await server.Client.PatchChunkAsync(location, content[100_000..200_000], "100000-199999"))
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var digest = OciTestClient.DigestOf(content);
        using var done = await server.Client.CompleteUploadAsync(location, digest, content[200_000..]);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        using var pulled = await server.Client.GetAsync($"/v2/restart/app/blobs/{digest}");
        Assert.Equal(content, await pulled.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task SixteenConcurrentPushesOfOneBlobAllSucceedWithOneCopy()
    {
        await using var server = await RegistryServer.StartAsync(Database);
        var content = OciTestClient.RandomBytes(512 * 1024);
        var digest = OciTestClient.DigestOf(content);
        var pushes = Enumerable.Range(0, 16).Select(async i =>
        {
            // Half push into one repository, half into their own, all at once.
            var repository = i % 2 == 0 ? "concurrent/shared" : $"concurrent/own{i}";
            var location = await server.Client.StartUploadAsync(repository);
            using var patch = await server.Client.PatchChunkAsync(location, content, null);
            using var done = await server.Client.CompleteUploadAsync(location, digest);
            return done.StatusCode;
        });
        var results = await Task.WhenAll(pushes);
        Assert.All(results, status => Assert.Equal(HttpStatusCode.Created, status));

        var blobFiles = Directory.GetFiles(Path.Combine(server.DataDirectory, "blobs"), "*", SearchOption.AllDirectories);
        var file = Assert.Single(blobFiles);
        Assert.Equal(digest, OciTestClient.DigestOf(await File.ReadAllBytesAsync(file)));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(server.DataDirectory, "uploads")));
    }
}

public sealed class StorageBehaviourTestsOnSqlite : StorageBehaviourTests
{
    protected override TestDatabase Database => TestDatabase.Sqlite;
}

[Trait("Category", "Integration")]
public sealed class StorageBehaviourTestsOnPostgres : StorageBehaviourTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}
