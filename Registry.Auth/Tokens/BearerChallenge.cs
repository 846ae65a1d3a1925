namespace Registry.Auth.Tokens;

/// <summary>
/// Builds the <c>WWW-Authenticate</c> value that sends a client to the token endpoint.
/// See: https://distribution.github.io/distribution/spec/auth/token/#how-to-authenticate
/// </summary>
public static class BearerChallenge
{
    /// <summary>
    /// <c>Bearer realm="…",service="…",scope="…"</c>, with <c>error="insufficient_scope"</c> when the caller
    /// presented a token that lacks the scope.
    /// </summary>
    public static string Build(string realm, string service, ResourceScope? scope, bool insufficientScope)
    {
        var parts = new List<string> { $"realm={Quote(realm)}", $"service={Quote(service)}" };
        if (scope is not null) parts.Add($"scope={Quote(scope.ToString())}");
        if (insufficientScope) parts.Add("error=\"insufficient_scope\"");
        return "Bearer " + string.Join(',', parts);
    }

    /// <summary>The Basic challenge offered beside the Bearer one, for simple clients.</summary>
    public static string Basic(string realm) => $"Basic realm={Quote(realm)}";

    // Quoted-string per RFC 9110: escape backslash and double quote so a value cannot break out.
    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
