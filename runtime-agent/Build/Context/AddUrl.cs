using System.Security.Cryptography;

namespace RuntimeAgent.Build.Context;

/// <summary>
/// <c>ADD URL</c>: the file is downloaded (bounded in time) into build scratch space and copied with mode 0600, as
/// Docker does; it is never extracted. With <c>--checksum=sha256:HEX</c> the download must match. Git URLs are refused.
/// See: https://docs.docker.com/reference/dockerfile/#adding-files-from-a-url
/// </summary>
internal static class AddUrl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public static bool IsUrl(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || IsGit(source);

    private static bool IsGit(string source) =>
        source.StartsWith("git@", StringComparison.Ordinal) || source.StartsWith("git://", StringComparison.OrdinalIgnoreCase)
        || source.Split('#')[0].EndsWith(".git", StringComparison.OrdinalIgnoreCase);

    /// <summary>The file name the URL gives (its path's last segment), checked before anything is downloaded.</summary>
    public static string FileName(string url)
    {
        if (IsGit(url)) throw new FormatException($"{url}: ADD of a git repository is not supported (clone it into the context and COPY it)");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) throw new FormatException($"{url}: not a valid URL");
        var name = Uri.UnescapeDataString(uri.AbsolutePath.Split('/')[^1]);
        return name is "" or "." or ".." ? throw new FormatException($"{url}: cannot tell a file name from the URL; name the destination file")
            : name;
    }

    public static async Task<string> DownloadAsync(string url, string? checksum, string directory, CancellationToken ct)
    {
        var expected = checksum is null ? null : ExpectedSha256(checksum);
        var path = Path.Combine(directory, "download");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode) throw new IOException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            await using (var body = await response.Content.ReadAsStreamAsync(timeout.Token))
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                await body.CopyToAsync(file, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new IOException($"{url}: no complete answer within {Timeout.TotalMinutes:0} minutes");
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"{url}: {e.Message}");
        }
        if (expected is not null)
        {
            await using var file = File.OpenRead(path);
            var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
            if (actual != expected) throw new FormatException($"{url}: checksum mismatch: expected sha256:{expected}, got sha256:{actual}");
        }
        return path;
    }

    private static string ExpectedSha256(string checksum)
    {
        var hex = checksum.StartsWith("sha256:", StringComparison.Ordinal) ? checksum[7..] : "";
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigitLower) ? hex
            : throw new FormatException($"--checksum={checksum}: expected sha256: and 64 lowercase hex digits");
    }
}
