using System.Text.Json.Serialization;

namespace Registry.Oci;

/// <summary>
/// The token endpoint's answer. Registries fill either <c>token</c> or <c>access_token</c> (ours both).
/// See: https://distribution.github.io/distribution/spec/auth/token/#token-response-fields
/// </summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("access_token")] string? AccessToken)
{
    [JsonPropertyName("expires_in"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ExpiresIn { get; init; }

    [JsonPropertyName("issued_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IssuedAt { get; init; }

    [JsonPropertyName("refresh_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RefreshToken { get; init; }

    [JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Scope { get; init; }
}
