using System.Text;
using System.Text.RegularExpressions;

namespace RuntimeAgent.Build.Context;

/// <summary>
/// The <c>.dockerignore</c> rules of a build context: one pattern a line, <c>#</c> comments, <c>!</c> re-includes,
/// <c>*</c> and <c>?</c> within one path element, <c>**</c> across any number of them, and the last matching
/// pattern wins. A pattern that matches a directory also matches everything under it.
/// See: https://docs.docker.com/build/concepts/context/#dockerignore-files
/// </summary>
public sealed class IgnoreRules
{
    private readonly List<(Regex Pattern, bool Exclude, string Text)> rules = [];

    public static readonly IgnoreRules None = new([]);

    public IgnoreRules(IEnumerable<string> lines)
    {
        foreach (var rawLine in lines)
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var exclude = true;
            if (line.StartsWith('!')) { exclude = false; line = line[1..].Trim(); }
            var cleaned = PathText.Clean(line);
            if (cleaned.Length == 0) continue;
            rules.Add((ToRegex(cleaned), exclude, rawLine.Trim()));
        }
    }

    /// <summary>Reads <c>.dockerignore</c> from the context directory, or no rules when it is absent.</summary>
    public static IgnoreRules Load(string contextDirectory)
    {
        var path = Path.Combine(contextDirectory, ".dockerignore");
        return File.Exists(path) ? new IgnoreRules(File.ReadAllLines(path)) : None;
    }

    /// <summary>True when a context-relative path (forward slashes) is excluded from the build.</summary>
    public bool IsExcluded(string relativePath)
    {
        if (rules.Count == 0) return false;
        var path = PathText.Clean(relativePath);
        var excluded = false;
        foreach (var (pattern, exclude, _) in rules)
            if (MatchesSelfOrParent(pattern, path)) excluded = exclude;
        return excluded;
    }

    /// <summary>True when some <c>!</c> rule could re-include a path below this directory, so it must be walked.</summary>
    public bool HasExceptions => rules.Any(r => !r.Exclude);

    private static bool MatchesSelfOrParent(Regex pattern, string path)
    {
        if (pattern.IsMatch(path)) return true;
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            if (pattern.IsMatch(path[..slash])) return true;
        return false;
    }

    /// <summary>A Docker path pattern as a regex: also what COPY source wildcards use.</summary>
    internal static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    // `**/` matches zero or more whole elements; a trailing `**` matches anything below.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/') { i++; regex.Append("(?:.*/)?"); }
                    else regex.Append(".*");
                    break;
                case '*': regex.Append("[^/]*"); break;
                case '?': regex.Append("[^/]"); break;
                case '\\' when i + 1 < pattern.Length: regex.Append(Regex.Escape(pattern[++i].ToString())); break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0) throw new FormatException($".dockerignore: unterminated '[' in pattern '{pattern}'");
                    var set = pattern[(i + 1)..close];
                    if (set.StartsWith('^') || set.StartsWith('!')) set = "^" + set[1..];
                    regex.Append('[').Append(set.Replace("\\", "\\\\")).Append(']');
                    i = close;
                    break;
                default: regex.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
