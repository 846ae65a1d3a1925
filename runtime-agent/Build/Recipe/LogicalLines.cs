using System.Text.RegularExpressions;

namespace RuntimeAgent.Build.Recipe;

/// <summary>
/// A here-document attached to an instruction: <c>&lt;&lt;NAME</c> (variables expanded where the instruction
/// expands them), <c>&lt;&lt;"NAME"</c> (literal), <c>&lt;&lt;-NAME</c> (leading tabs removed). <see cref="Content"/>
/// keeps each line's newline, as BuildKit does.
/// </summary>
public sealed record Heredoc(string Name, string Content, bool Expand, bool Chomp);

/// <summary>One instruction's text with continuations joined, the line it starts on and its here-documents.</summary>
public sealed record LogicalLine(int LineNumber, string Text, IReadOnlyList<Heredoc> Heredocs)
{
    public LogicalLine(int lineNumber, string text) : this(lineNumber, text, []) { }
}

/// <summary>
/// Splits a recipe into logical lines the way Docker does: parser directives (<c># escape=`</c>) only at the
/// very top, comment lines dropped (also inside a continuation), a trailing escape character joins the
/// next line, blank lines inside a continuation skipped. RUN, COPY and ADD may open here-documents
/// (<c>&lt;&lt;EOF</c>), whose bodies are taken verbatim up to their terminator line.
/// See: https://docs.docker.com/reference/dockerfile/#parser-directives
/// See: https://docs.docker.com/reference/dockerfile/#here-documents
/// </summary>
public static partial class LogicalLines
{
    public static (IReadOnlyList<LogicalLine> Lines, char Escape) Split(string text, string file)
    {
        var physical = text.Replace("\r\n", "\n").Split('\n');
        var escape = '\\';
        var index = 0;
        for (; index < physical.Length; index++)
        {
            var directive = ParseDirective(physical[index]);
            if (directive is null) break;
            if (directive.Value.Name == "escape")
            {
                if (directive.Value.Value is not ("\\" or "`"))
                    throw new RecipeException(new SourceLocation(file, index + 1), "escape", $"invalid escape character '{directive.Value.Value}' (use \\ or `)");
                escape = directive.Value.Value[0];
            }
        }

        var lines = new List<LogicalLine>();
        var current = new System.Text.StringBuilder();
        var start = -1;
        for (; index < physical.Length; index++)
        {
            var line = physical[index];
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith('#')) continue;
            if (trimmed.Length == 0) continue;
            if (start < 0) start = index + 1;

            var end = line.TrimEnd();
            if (end.Length > 0 && end[^1] == escape)
            {
                current.Append(end, 0, end.Length - 1);
                continue;
            }
            current.Append(line);
            var joined = current.ToString().Trim();
            current.Clear();
            var heredocs = OpensHeredocs(joined) ? ReadHeredocs(joined, physical, ref index, new SourceLocation(file, start)) : [];
            lines.Add(new LogicalLine(start, joined, heredocs));
            start = -1;
        }
        if (start >= 0 && current.ToString().Trim().Length > 0) lines.Add(new LogicalLine(start, current.ToString().Trim()));
        return (lines, escape);
    }

    /// <summary>The here-document markers of an instruction line, in order (only RUN, COPY and ADD take them).</summary>
    public static IReadOnlyList<(string Name, bool Expand, bool Chomp)> Markers(string line) =>
        Marker().Matches(line).Select(m => (m.Groups["name"].Value, m.Groups["quote"].Length == 0, m.Groups["chomp"].Length > 0)).ToList();

    private static bool OpensHeredocs(string line)
    {
        var keyword = line.Split([' ', '\t'], 2)[0].ToUpperInvariant();
        return keyword is "RUN" or "COPY" or "ADD" && line.Contains("<<", StringComparison.Ordinal);
    }

    private static List<Heredoc> ReadHeredocs(string line, string[] physical, ref int index, SourceLocation at)
    {
        var heredocs = new List<Heredoc>();
        foreach (var (name, expand, chomp) in Markers(line))
        {
            var body = new System.Text.StringBuilder();
            var closed = false;
            while (++index < physical.Length)
            {
                var candidate = chomp ? physical[index].TrimStart('\t') : physical[index];
                if (candidate == name) { closed = true; break; }
                body.Append(candidate).Append('\n');
            }
            if (!closed) throw new RecipeException(at, line.Split(' ')[0].ToUpperInvariant(), $"here-document <<{name} has no terminating '{name}' line");
            heredocs.Add(new Heredoc(name, body.ToString(), expand, chomp));
        }
        return heredocs;
    }

    private static (string Name, string Value)? ParseDirective(string line)
    {
        var trimmed = line.Trim();
        if (!trimmed.StartsWith('#')) return null;
        var body = trimmed[1..].Trim();
        var equals = body.IndexOf('=');
        if (equals <= 0) return null;
        var name = body[..equals].Trim().ToLowerInvariant();
        if (name is not ("escape" or "syntax" or "check")) return null;
        if (name.Contains(' ')) return null;
        return (name, body[(equals + 1)..].Trim());
    }

    [GeneratedRegex("""<<(?<chomp>-?)(?<quote>["']?)(?<name>[A-Za-z_][A-Za-z0-9_]*)\k<quote>""")]
    private static partial Regex Marker();
}
