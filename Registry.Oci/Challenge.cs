using System.Text;

namespace Registry.Oci;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge: <c>Bearer realm="…",service="…",scope="…"</c> or <c>Basic realm="…"</c>.
/// The registry writes them (<see cref="Bearer"/>, <see cref="Basic"/>), clients parse them (<see cref="Parse"/>).
/// See: https://distribution.github.io/distribution/spec/auth/token/
/// </summary>
public sealed record Challenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>Parses a header value; returns null when it has no scheme.</summary>
    public static Challenge? Parse(string header)
    {
        var text = header.Trim();
        var space = text.IndexOf(' ');
        var scheme = space < 0 ? text : text[..space];
        if (scheme.Length == 0) return null;
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = space < 0 ? text.Length : space + 1;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ' ' || text[i] == ',')) i++;
            var eq = text.IndexOf('=', i);
            if (eq < 0) break;
            var key = text[i..eq].Trim();
            i = eq + 1;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    value.Append(text[i]);
                }
                i++;
            }
            else
            {
                for (; i < text.Length && text[i] != ','; i++) value.Append(text[i]);
            }
            parameters[key] = value.ToString().Trim();
        }
        return new Challenge(scheme, parameters);
    }

    /// <summary>
    /// <c>Bearer realm="…",service="…",scope="…"</c>, with <c>error="insufficient_scope"</c> when the caller
    /// presented a token that lacks the scope.
    /// See: https://distribution.github.io/distribution/spec/auth/token/#how-to-authenticate
    /// </summary>
    public static string Bearer(string realm, string service, ResourceScope? scope, bool insufficientScope)
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
