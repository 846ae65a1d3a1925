using System.Net.Http.Headers;

namespace Registry.Tests.Infrastructure;

/// <summary>Raw requests of the chunked upload protocol, for tests that check each step.</summary>
public static class UploadRequests
{
    /// <summary>Starts a session; returns its Location (path and query as the server sent it).</summary>
    public static async Task<string> StartUploadAsync(this HttpClient client, string repository)
    {
        using var response = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    /// <summary>PATCHes a chunk, with a Content-Range header when <paramref name="contentRange"/> is given.</summary>
    public static Task<HttpResponseMessage> PatchChunkAsync(this HttpClient client, string location, byte[] chunk, string? contentRange)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(chunk) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (contentRange is not null) request.Content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        return client.SendAsync(request);
    }

    /// <summary>Finishes a session with PUT ?digest=, optionally carrying a last chunk.</summary>
    public static Task<HttpResponseMessage> CompleteUploadAsync(this HttpClient client, string location, string digest, byte[]? lastChunk = null)
    {
        var separator = location.Contains('?') ? '&' : '?';
        var request = new HttpRequestMessage(HttpMethod.Put, $"{location}{separator}digest={digest}");
        if (lastChunk is not null)
        {
            request.Content = new ByteArrayContent(lastChunk);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        }
        return client.SendAsync(request);
    }
}
