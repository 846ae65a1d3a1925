using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Registry.Oci;

namespace Registry.Api.Proxy;

/// <summary>
/// Talks to one upstream registry: answers its auth challenge the way it asks (Basic, or a Bearer token fetched
/// from its realm with the configured credentials, cached per scope until it expires) and bounds every call:
/// connecting takes at most 10 s, a manifest or token call 30 s; blob bodies stream without an overall limit.
/// Credentials never reach a log line.
/// </summary>
public sealed class UpstreamClient
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient http;
    private readonly UpstreamOptions options;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, (AuthenticationHeaderValue Header, DateTimeOffset Until)> authorizations = new();

    public UpstreamClient(UpstreamOptions options, TimeProvider time)
    {
        this.options = options;
        this.time = time;
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), AllowAutoRedirect = true };
        http = new HttpClient(handler) { BaseAddress = new Uri(options.Url.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public UpstreamOptions Options => options;

    /// <summary>Sends a request for <paramref name="remoteName"/> (pull scope), answering one auth challenge. Headers only are read.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string remoteName, string path, string? accept, bool bounded, CancellationToken cancellationToken)
    {
        var scope = $"repository:{remoteName}:pull";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (bounded) timeout.CancelAfter(CallTimeout);
        var response = await SendOnceAsync(method, path, accept, scope, timeout.Token);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        response.Dispose();
        if (challenge is null) throw new UpstreamException("upstream answered 401 without a challenge");
        authorizations[scope] = await AuthorizeAsync(challenge, scope, timeout.Token);
        return await SendOnceAsync(method, path, accept, scope, timeout.Token);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, string? accept, string scope, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        if (authorizations.TryGetValue(scope, out var known) && known.Until > time.GetUtcNow()) request.Headers.Authorization = known.Header;
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    // See: https://distribution.github.io/distribution/spec/auth/token/#how-to-authenticate
    private async Task<(AuthenticationHeaderValue, DateTimeOffset)> AuthorizeAsync(AuthenticationHeaderValue challenge, string scope, CancellationToken cancellationToken)
    {
        var basic = options.Username is null ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            return basic is null ? throw new UpstreamException("upstream wants Basic credentials and none are configured") : (basic, DateTimeOffset.MaxValue);
        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            throw new UpstreamException($"upstream asks for unsupported auth scheme '{challenge.Scheme}'");
        var parsed = Challenge.Parse(challenge.ToString())!;
        if (parsed["realm"] is not { } realm) throw new UpstreamException("upstream's Bearer challenge has no realm");
        var query = $"?scope={Uri.EscapeDataString(scope)}" + (parsed["service"] is { } service ? $"&service={Uri.EscapeDataString(service)}" : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, realm + query);
        request.Headers.Authorization = basic;
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode) throw new UpstreamException($"upstream token endpoint answered {(int)response.StatusCode}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = json.RootElement;
        var token = (root.TryGetProperty("token", out var t) ? t : root.GetProperty("access_token")).GetString()!;
        var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) ? seconds : 60;
        // Renew a little early, so a token does not expire between our check and the upstream's.
        return (new AuthenticationHeaderValue("Bearer", token), time.GetUtcNow().AddSeconds(Math.Max(lifetime - 10, 5)));
    }
}

/// <summary>The upstream could not be used (unreachable, refused our credentials, answered nonsense).</summary>
public sealed class UpstreamException(string message, Exception? inner = null, int? status = null) : Exception(message, inner)
{
    /// <summary>The upstream's HTTP status when it answered at all.</summary>
    public int? Status { get; } = status;
}
