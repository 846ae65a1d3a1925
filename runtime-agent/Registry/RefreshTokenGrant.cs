using System.Text.Json;
using Registry.Oci;

namespace RuntimeAgent.Registry;

/// <summary>
/// Trades an identity token (what a credential helper returns with the user <c>&lt;token&gt;</c>, or Docker's
/// <c>identitytoken</c>) for an access token: the OAuth2 <c>refresh_token</c> grant, POSTed to the challenge's realm.
/// See: https://distribution.github.io/distribution/spec/auth/oauth/
/// </summary>
internal static class RefreshTokenGrant
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static async Task<string> FetchAsync(HttpClient http, string registry, string realm, Challenge challenge, string refreshToken,
                                                CancellationToken ct)
    {
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new RegistryException($"registry {registry} sent an invalid token realm '{realm}'");
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
            new("client_id", "runtime-agent"),
        };
        if (challenge["service"] is { } service) form.Add(new("service", service));
        if (challenge["scope"] is { } scope) form.Add(new("scope", scope));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(uri, content, timeout.Token);
        if (!response.IsSuccessStatusCode)
            throw await RegistryException.FromResponseAsync($"token request to {uri.Host} refused the identity token", response, ct);
        var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var token = await JsonSerializer.DeserializeAsync(body, OciJsonContext.Default.TokenResponse, timeout.Token);
        return token?.AccessToken ?? token?.Token
               ?? throw new RegistryException($"token response from {uri.Host} carries no token");
    }
}
