using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Registry.Api.Events.Delivery;
using Registry.Oci;

namespace Registry.Api.Replication;

/// <summary>
/// Talks to one replication target over the OCI distribution API, and only to it: every request goes to the
/// target's origin (a token realm or upload location elsewhere is refused), through the webhook
/// <see cref="OutboundGuard"/>'s connect check, with no proxy and no redirects. Auth is what the target's
/// challenge asks: Basic, or a Bearer token for <c>repository:NAME:pull,push</c> from its realm. Each call is
/// bounded by <c>Registry:Replication:RequestTimeout</c>. The password never reaches a log line or an error text.
/// </summary>
public sealed class TargetRegistryClient : IDisposable
{
    private readonly HttpClient http;
    private readonly Uri origin;
    private readonly string? username, password;
    private readonly TimeSpan timeout;
    private readonly Dictionary<string, AuthenticationHeaderValue> authorizations = [];

    public TargetRegistryClient(Uri target, string? username, string? password, OutboundGuard guard, TimeSpan timeout)
    {
        origin = new Uri(target.GetLeftPart(UriPartial.Authority) + "/");
        (this.username, this.password, this.timeout) = (username, password, timeout);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseProxy = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = guard.ConnectAsync,
        };
        http = new HttpClient(handler) { BaseAddress = origin, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Sends the request <paramref name="build"/> makes (called again after a 401, so bodies can be reopened) with
    /// the authorization for <paramref name="repository"/>, answering one challenge. The response is read whole.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(string repository, Func<Task<HttpRequestMessage>> build, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        var response = await SendOnceAsync(repository, build, bounded.Token);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        var header = response.Headers.WwwAuthenticate.FirstOrDefault()?.ToString();
        response.Dispose();
        if (header is null || Challenge.Parse(header) is not { } challenge) throw new ReplicationException("the target answered 401 without a challenge");
        authorizations[repository] = await AuthorizeAsync(challenge, repository, bounded.Token);
        response = await SendOnceAsync(repository, build, bounded.Token);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            throw new ReplicationException($"the target refused the configured credentials for {repository}");
        }
        return response;
    }

    /// <summary>Resolves an upload <c>Location</c> against the target, refusing one on another origin.</summary>
    public Uri Resolve(string location)
    {
        var resolved = new Uri(origin, location);
        return resolved.GetLeftPart(UriPartial.Authority) + "/" == origin.ToString() ? resolved
            : throw new ReplicationException($"the target sent an upload location on another host ({resolved.Authority}); refused");
    }

    private async Task<HttpResponseMessage> SendOnceAsync(string repository, Func<Task<HttpRequestMessage>> build, CancellationToken cancellationToken)
    {
        using var request = await build();
        if (authorizations.TryGetValue(repository, out var known)) request.Headers.Authorization = known;
        return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    // See: https://distribution.github.io/distribution/spec/auth/token/#how-to-authenticate
    private async Task<AuthenticationHeaderValue> AuthorizeAsync(Challenge challenge, string repository, CancellationToken cancellationToken)
    {
        var basic = username is null ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        if (challenge.IsBasic) return basic ?? throw new ReplicationException("the target wants Basic credentials and the rule has none");
        if (!challenge.IsBearer) throw new ReplicationException($"the target asks for an unsupported auth scheme '{challenge.Scheme}'");
        if (challenge["realm"] is not { } realmText || !Uri.TryCreate(realmText, UriKind.Absolute, out var realm))
            throw new ReplicationException("the target's Bearer challenge has no usable realm");
        if (realm.Host != origin.Host) throw new ReplicationException($"the target's token realm is on another host ({realm.Host}); refused");
        var scope = ResourceScope.ForRepository(repository, ["pull", "push"]);
        var query = $"?scope={Uri.EscapeDataString(scope.ToString())}" + (challenge["service"] is { } service ? $"&service={Uri.EscapeDataString(service)}" : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(realm, realm.AbsolutePath + query));
        request.Headers.Authorization = basic;
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode) throw new ReplicationException($"the target's token endpoint answered {(int)response.StatusCode}");
        var token = await response.Content.ReadFromJsonAsync(OciJsonContext.Default.TokenResponse, cancellationToken);
        return new AuthenticationHeaderValue("Bearer", token?.Token ?? token?.AccessToken
            ?? throw new ReplicationException("the target's token endpoint answered without a token"));
    }

    public void Dispose() => http.Dispose();
}

/// <summary>A copy to the target failed; the message is safe to show (no credentials).</summary>
public sealed class ReplicationException(string message) : Exception(message);
