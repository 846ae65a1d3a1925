using Registry.Oci;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace RuntimeAgent.Registry;

/// <summary>
/// Talks to one registry over the OCI distribution API, answering its auth challenges (Bearer token or Basic)
/// with saved credentials or anonymously. Credentials are looked up at the first challenge, so a registry that
/// never asks costs no credential-helper run.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient http;
    private readonly string registry;
    private readonly Lazy<Credentials?> lookup;
    private readonly SemaphoreSlim authGate = new(1, 1);
    private AuthenticationHeaderValue? authorization;

    public RegistryClient(string registry, Credentials? credentials, bool insecure) : this(registry, () => credentials, insecure) { }

    /// <param name="findCredentials">Called once, when the registry first challenges (it may run a credential helper).</param>
    public RegistryClient(string registry, Func<Credentials?> findCredentials, bool insecure)
    {
        this.registry = registry;
        lookup = new Lazy<Credentials?>(findCredentials, LazyThreadSafetyMode.ExecutionAndPublication);
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 16,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // No overall timeout (a layer may take long to arrive), but a registry that does not even accept the
            // connection must not hang a pull: the attempt fails and TransientRetry decides.
            ConnectTimeout = TimeSpan.FromSeconds(15),
        };
        var host = registry == ImageReference.DockerHub ? "registry-1.docker.io" : registry;
        var scheme = insecure || ImageReference.IsLoopback(registry) ? "http" : "https";
        http = new HttpClient(handler) { BaseAddress = new Uri($"{scheme}://{host}/"), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("runtime-agent/1.0");
    }

    /// <summary>Checks that the registry accepts our credentials (what <c>login</c> does before saving them).</summary>
    // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support
    public async Task CheckAccessAsync(CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "v2/"), HttpCompletionOption.ResponseContentRead, ct);
        if (!response.IsSuccessStatusCode)
            throw await RegistryException.FromResponseAsync($"login to {registry} failed", response, ct);
    }

    /// <summary>Sends a request, answering one 401 challenge and retrying. The caller disposes the response.</summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> makeRequest, HttpCompletionOption completion, CancellationToken ct)
    {
        var sentWith = authorization;
        var response = await SendOnceAsync(makeRequest, sentWith, completion, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;

        var challenge = response.Headers.WwwAuthenticate.Select(h => Challenge.Parse(h.ToString())).FirstOrDefault(c => c is not null);
        response.Dispose();
        if (challenge is null)
            throw new RegistryException($"registry {registry} answered 401 without a WWW-Authenticate challenge", HttpStatusCode.Unauthorized);
        await authGate.WaitAsync(ct);
        try
        {
            // Another request may already have answered the same challenge while we waited.
            if (authorization == sentWith) authorization = await AnswerAsync(challenge, ct);
        }
        finally { authGate.Release(); }

        response = await SendOnceAsync(makeRequest, authorization, completion, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        var credentials = lookup.Value;
        using (response)
            throw await RegistryException.FromResponseAsync(
                credentials is null ? $"{registry}: unauthorized (run `runtime-agent login {registry}` if it needs credentials)"
                                    : $"{registry}: the credentials of {credentials.Who} were refused", response, ct);
    }

    // One logical send: repeated on a transient answer or a failed connection (TransientRetry), each time with a
    // fresh request from the factory (a request and its content can be sent only once).
    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> makeRequest, AuthenticationHeaderValue? auth,
                                                          HttpCompletionOption completion, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var request = makeRequest();
            request.Headers.Authorization = auth;
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, completion, ct);
            }
            catch (HttpRequestException) when (attempt < TransientRetry.MaxAttempts && !ct.IsCancellationRequested)
            {
                await Task.Delay(TransientRetry.DelayAfter(attempt, null), ct);
                continue;
            }
            if (!TransientRetry.IsTransient(response.StatusCode) || attempt == TransientRetry.MaxAttempts) return response;
            var delay = TransientRetry.DelayAfter(attempt, response);
            response.Dispose();
            await Task.Delay(delay, ct);
        }
    }

    private async Task<AuthenticationHeaderValue> AnswerAsync(Challenge challenge, CancellationToken ct)
    {
        var credentials = lookup.Value;
        if (challenge.IsBasic)
        {
            if (credentials is null)
                throw new RegistryException($"registry {registry} requires credentials: run `runtime-agent login {registry}`", HttpStatusCode.Unauthorized);
            if (credentials.IsIdentityToken)
                throw new RegistryException($"registry {registry} asks for Basic auth, which an identity token cannot answer", HttpStatusCode.Unauthorized);
            return new AuthenticationHeaderValue("Basic", credentials.BasicValue);
        }
        if (!challenge.IsBearer || challenge["realm"] is not { } realm)
            throw new RegistryException($"registry {registry} asked for unsupported authentication '{challenge.Scheme}'", HttpStatusCode.Unauthorized);
        var token = credentials is { IsIdentityToken: true }
            ? await RefreshTokenGrant.FetchAsync(http, registry, realm, challenge, credentials.Password, ct)
            : await FetchTokenAsync(realm, challenge, credentials, ct);
        return new AuthenticationHeaderValue("Bearer", token);
    }

    // See: https://distribution.github.io/distribution/spec/auth/token/#requesting-a-token
    private async Task<string> FetchTokenAsync(string realm, Challenge challenge, Credentials? credentials, CancellationToken ct)
    {
        var query = new List<string>();
        if (challenge["service"] is { } service) query.Add("service=" + Uri.EscapeDataString(service));
        if (challenge["scope"] is { } scopes)
            query.AddRange(scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => "scope=" + Uri.EscapeDataString(s)));
        var url = realm + (query.Count == 0 ? "" : (realm.Contains('?') ? "&" : "?") + string.Join('&', query));
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new RegistryException($"registry {registry} sent an invalid token realm '{realm}'");

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (credentials is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials.BasicValue);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw await RegistryException.FromResponseAsync(
                credentials is null ? $"anonymous token request to {uri.Host} refused" : $"token request to {uri.Host} refused for {credentials.Who}",
                response, ct);
        var body = await response.Content.ReadAsStreamAsync(ct);
        var token = await JsonSerializer.DeserializeAsync(body, OciJsonContext.Default.TokenResponse, ct);
        return token?.Token ?? token?.AccessToken
               ?? throw new RegistryException($"token response from {uri.Host} carries no token");
    }

    public void Dispose()
    {
        http.Dispose();
        authGate.Dispose();
    }
}
