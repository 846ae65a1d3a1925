namespace Registry.Auth.Permissions;

/// <summary>
/// A repository pattern inside one namespace, such as <c>base/*</c> or <c>app-*</c>, used by team grants and
/// robot accounts. The pattern is matched against the repository name without its namespace
/// (<c>acme/base/debian</c> → <c>base/debian</c>); <c>*</c> matches any run of characters, slashes included.
/// </summary>
public sealed record RepositoryPattern
{
    /// <summary>Longest accepted pattern (the longest repository name).</summary>
    public const int MaxLength = 255;

    /// <summary>The pattern text.</summary>
    public string Text { get; }

    private RepositoryPattern(string text) => Text = text;

    /// <summary>Parses a pattern; only lower-case letters, digits, <c>. _ - /</c> and <c>*</c> are allowed.</summary>
    public static bool TryParse(string? text, out RepositoryPattern pattern)
    {
        pattern = null!;
        if (text is not { Length: > 0 and <= MaxLength }) return false;
        if (!text.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_' or '-' or '/' or '*')) return false;
        pattern = new RepositoryPattern(text);
        return true;
    }

    /// <summary>Parses a pattern or throws <see cref="FormatException"/>.</summary>
    public static RepositoryPattern Parse(string text) =>
        TryParse(text, out var pattern) ? pattern : throw new FormatException($"invalid repository pattern '{text}'");

    /// <summary>True when the namespace-relative repository name matches this pattern.</summary>
    public bool Matches(string relativeName) => WildcardMatches(Text, relativeName);

    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>, where <c>*</c> matches any run of characters.</summary>
    public static bool WildcardMatches(string pattern, string text)
    {
        // Iterative wildcard match with one backtrack point: linear-ish, no regex, no catastrophic backtracking.
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*') { star = p++; resume = n; }
            else if (p < pattern.Length && pattern[p] == text[n]) { p++; n++; }
            else if (star >= 0) { p = star + 1; n = ++resume; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    public override string ToString() => Text;
}
