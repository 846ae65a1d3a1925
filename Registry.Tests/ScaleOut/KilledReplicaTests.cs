using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Registry.Tests.GarbageCollection;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.ScaleOut;

/// <summary>
/// A replica killed with SIGKILL in the middle of chunked uploads: the session continues on the other replica to
/// the right digest, and a session nobody continues is purged by garbage collection leaving no staged bytes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KilledReplicaTests
{
    [Fact]
    public async Task UploadsOfAKilledReplicaContinueElsewhereOrArePurgedWithNoBytesLeft()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var shared = Directory.CreateTempSubdirectory("registry-killed-").FullName;
        var settings = new Dictionary<string, string>
        {
            ["Registry__DataDirectory"] = shared,
            ["Registry__Database__Provider"] = "postgres",
            ["Registry__Database__ConnectionString"] = database.ConnectionString,
        };
        try
        {
            await using var doomed = await RegistryProcess.StartAsync(settings);
            await using var survivor = await RegistryServer.StartAsync(TestDatabase.Sqlite, new Dictionary<string, string?>
            {
                ["Registry:DataDirectory"] = shared,
                ["Registry:Database:Provider"] = "postgres",
                ["Registry:Database:ConnectionString"] = database.ConnectionString,
                ["Registry:Gc:UploadTtl"] = "00:00:00",
            });
            var repository = OciTestClient.UniqueRepository("killed/app");
            var chunks = new[] { OciTestClient.RandomBytes(300_000), OciTestClient.RandomBytes(300_000), OciTestClient.RandomBytes(100_000) };
            var blob = chunks.SelectMany(c => c).ToArray();

            var continued = await StartSessionAsync(doomed.Client, repository);
            await PatchAsync(doomed.Client, continued, chunks[0], 0);
            var abandoned = await StartSessionAsync(doomed.Client, repository);
            await PatchAsync(doomed.Client, abandoned, OciTestClient.RandomBytes(50_000), 0);

            // Kill the replica while it is receiving the second chunk: half the body is in flight, the rest never comes.
            var halfSent = new TaskCompletionSource();
            var release = new TaskCompletionSource();
            var stalled = new StalledContent(chunks[1], halfSent, release.Task);
            var patch = doomed.Client.SendAsync(PatchRequest(continued, stalled, chunks[0].Length, chunks[1].Length));
            await halfSent.Task;
            await doomed.KillAsync();
            release.SetResult(); // the rest of the body now goes to a dead socket
            await Assert.ThrowsAnyAsync<Exception>(() => patch);

            var client = survivor.Client;
            using (var status = await client.GetAsync(continued))
            {
                Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
                Assert.Equal($"0-{chunks[0].Length - 1}", status.Headers.GetValues("Range").Single());
            }
            await PatchAsync(client, continued, chunks[1], chunks[0].Length);
            var digest = OciTestClient.DigestOf(blob);
            using (var last = new ByteArrayContent(chunks[2]))
            {
                last.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                using var put = await client.PutAsync($"{continued}?digest={digest}", last);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
                Assert.Equal(digest, put.Headers.GetValues("Docker-Content-Digest").Single());
            }
            await client.AssertBlobPullsAsync(repository, blob);

            var report = await survivor.CollectAsync();

            Assert.Contains(abandoned.TrimEnd('/').Split('/')[^1], report.Uploads);
            var staging = Path.Combine(shared, "uploads");
            Assert.True(!Directory.Exists(staging) || !Directory.EnumerateFileSystemEntries(staging).Any(),
                $"staged bytes left behind: {string.Join(", ", Directory.EnumerateFileSystemEntries(staging))}");
            Assert.Equal(0, await survivor.QueryUploadSessionsAsync());
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    private static async Task<string> StartSessionAsync(HttpClient client, string repository)
    {
        using var response = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    private static async Task PatchAsync(HttpClient client, string location, byte[] chunk, long offset)
    {
        using var response = await client.SendAsync(PatchRequest(location, new ByteArrayContent(chunk), offset, chunk.Length));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"PATCH answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static HttpRequestMessage PatchRequest(string location, HttpContent content, long offset, long length)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = length;
        content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        return new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
    }

    /// <summary>A body that sends its first half, signals, and sends the rest only when released.</summary>
    private sealed class StalledContent(byte[] bytes, TaskCompletionSource halfSent, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await stream.FlushAsync();
            halfSent.TrySetResult();
            await release;
            await stream.WriteAsync(bytes.AsMemory(bytes.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
