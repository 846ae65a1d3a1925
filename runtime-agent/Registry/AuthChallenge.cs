using System.Text;

namespace RuntimeAgent.Registry;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge: <c>Bearer realm="…",service="…",scope="…"</c> or <c>Basic realm="…"</c>.
/// See: https://distribution.github.io/distribution/spec/auth/token/
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>Parses a header value; returns null when it has no scheme.</summary>
    public static AuthChallenge? Parse(string header)
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
        return new AuthChallenge(scheme, parameters);
    }
}
