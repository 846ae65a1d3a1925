namespace RuntimeAgent.Build.Recipe;

/// <summary>One instruction's text with continuations joined, and the line it starts on.</summary>
public sealed record LogicalLine(int LineNumber, string Text);

/// <summary>
/// Splits a recipe into logical lines the way Docker does: parser directives (<c># escape=`</c>) only at the
/// very top, comment lines dropped (also inside a continuation), a trailing escape character joins the
/// next line, blank lines inside a continuation skipped.
/// See: https://docs.docker.com/reference/dockerfile/#parser-directives
/// </summary>
public static class LogicalLines
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
            if (start < 0 && trimmed.Length == 0) continue;
            if (start >= 0 && trimmed.Length == 0) continue;
            if (start < 0) start = index + 1;

            var end = line.TrimEnd();
            if (end.Length > 0 && end[^1] == escape)
            {
                current.Append(end, 0, end.Length - 1);
                continue;
            }
            current.Append(line);
            lines.Add(new LogicalLine(start, current.ToString().Trim()));
            current.Clear();
            start = -1;
        }
        if (start >= 0 && current.ToString().Trim().Length > 0) lines.Add(new LogicalLine(start, current.ToString().Trim()));
        return (lines, escape);
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
}
