using System.Text;

namespace RuntimeAgent.Build.Recipe;

/// <summary>
/// Docker's word rules for instruction arguments: whitespace splits words unless quoted, the escape
/// character takes the next one literally, single quotes stop expansion, and <c>$VAR</c>, <c>${VAR}</c>,
/// <c>${VAR:-default}</c>, <c>${VAR:+alt}</c> (also <c>-</c>, <c>+</c>, <c>:?</c>, <c>?</c>) expand.
/// See: https://docs.docker.com/reference/dockerfile/#environment-replacement
/// </summary>
public sealed class ShellWords(char escape = '\\')
{
    /// <summary>Splits on unquoted whitespace, keeping quotes and escapes for <see cref="Expand"/>.</summary>
    public IReadOnlyList<string> SplitRaw(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote == '\0' && char.IsWhiteSpace(c))
            {
                if (word.Length > 0) { words.Add(word.ToString()); word.Clear(); }
                continue;
            }
            word.Append(c);
            if (c == escape && quote != '\'' && i + 1 < text.Length) { word.Append(text[++i]); continue; }
            if (quote == '\0' && c is '"' or '\'') quote = c;
            else if (c == quote) quote = '\0';
        }
        if (quote != '\0') throw new FormatException($"unterminated {(quote == '"' ? "double" : "single")} quote in: {text}");
        if (word.Length > 0) words.Add(word.ToString());
        return words;
    }

    /// <summary>Removes quotes and escapes and substitutes variables; <paramref name="lookup"/> returns null for unset.</summary>
    public string Expand(string raw, Func<string, string?> lookup)
    {
        var result = new StringBuilder();
        var i = 0;
        ExpandInto(raw, ref i, lookup, result, stopAt: null);
        return result.ToString();
    }

    /// <summary>
    /// Substitutes variables in a here-document body and nothing else: quotes stay as written, and the escape
    /// character keeps a following <c>$</c> literal.
    /// </summary>
    public string ExpandVariables(string text, Func<string, string?> lookup)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length;)
        {
            if (text[i] == escape && i + 1 < text.Length && text[i + 1] == '$') { result.Append('$'); i += 2; }
            else if (text[i] == '$') { i++; ExpandVariable(text, ref i, lookup, result); }
            else result.Append(text[i++]);
        }
        return result.ToString();
    }

    /// <summary>Splits and expands each word: what COPY, EXPOSE and VOLUME take.</summary>
    public IReadOnlyList<string> ExpandAll(string text, Func<string, string?> lookup) =>
        SplitRaw(text).Select(w => Expand(w, lookup)).ToList();

    private void ExpandInto(string s, ref int i, Func<string, string?> lookup, StringBuilder output, char? stopAt)
    {
        char quote = '\0';
        while (i < s.Length)
        {
            var c = s[i];
            if (stopAt is { } stop && quote == '\0' && c == stop) return;
            if (quote == '\'')
            {
                if (c == '\'') quote = '\0'; else output.Append(c);
                i++;
                continue;
            }
            if (c == escape && i + 1 < s.Length)
            {
                var next = s[i + 1];
                // Inside double quotes only the quote, $ and the escape itself are escapable, as in sh.
                if (quote == '"' && next is not ('"' or '$') && next != escape) output.Append(c);
                output.Append(next);
                i += 2;
                continue;
            }
            if (c == '"') { quote = quote == '"' ? '\0' : '"'; i++; continue; }
            if (c == '\'' && quote == '\0') { quote = '\''; i++; continue; }
            if (c == '$') { i++; ExpandVariable(s, ref i, lookup, output); continue; }
            output.Append(c);
            i++;
        }
        if (quote != '\0' && stopAt is null)
            throw new FormatException($"unterminated {(quote == '"' ? "double" : "single")} quote in: {s}");
    }

    private void ExpandVariable(string s, ref int i, Func<string, string?> lookup, StringBuilder output)
    {
        if (i >= s.Length) { output.Append('$'); return; }
        if (s[i] != '{')
        {
            var name = ReadName(s, ref i);
            if (name.Length == 0) output.Append('$'); else output.Append(lookup(name) ?? "");
            return;
        }

        i++;
        var braced = ReadName(s, ref i);
        if (braced.Length == 0) throw new FormatException($"bad substitution in: {s}");
        if (i >= s.Length) throw new FormatException($"missing '}}' in: {s}");
        if (s[i] == '}') { i++; output.Append(lookup(braced) ?? ""); return; }

        var colon = s[i] == ':';
        if (colon) i++;
        if (i >= s.Length || s[i] is not ('-' or '+' or '?'))
            throw new FormatException($"unsupported modifier in ${{{braced}...}} in: {s}");
        var modifier = s[i++];
        var word = new StringBuilder();
        ExpandInto(s, ref i, lookup, word, stopAt: '}');
        if (i >= s.Length) throw new FormatException($"missing '}}' in: {s}");
        i++;

        var value = lookup(braced);
        var isSet = colon ? !string.IsNullOrEmpty(value) : value is not null;
        switch (modifier)
        {
            case '-': output.Append(isSet ? value : word.ToString()); break;
            case '+': output.Append(isSet ? word.ToString() : ""); break;
            default:
                if (!isSet) throw new FormatException($"{braced}: {(word.Length > 0 ? word.ToString() : "parameter not set")}");
                output.Append(value);
                break;
        }
    }

    private static string ReadName(string s, ref int i)
    {
        var start = i;
        if (i < s.Length && (char.IsAsciiLetter(s[i]) || s[i] == '_'))
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_')) i++;
        return s[start..i];
    }
}
