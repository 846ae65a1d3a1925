using System.Text.Json;

namespace RuntimeAgent.Build.Recipe;

/// <summary>A parsed recipe: its instructions in order and the escape character its directives chose.</summary>
public sealed record ParsedRecipe(string File, IReadOnlyList<Instruction> Instructions, char Escape)
{
    public ShellWords Words => new(Escape);
}

/// <summary>
/// Parses Dockerfile syntax into instructions. Pure: variables are substituted later, by the builder,
/// because their values depend on build args and on the base image's environment.
/// See: https://docs.docker.com/reference/dockerfile/
/// </summary>
public static class RecipeParser
{
    public static ParsedRecipe Parse(string text, string file)
    {
        var (lines, escape) = LogicalLines.Split(text, file);
        var words = new ShellWords(escape);
        var instructions = new List<Instruction>();
        foreach (var line in lines) instructions.Add(ParseLine(new SourceLocation(file, line.LineNumber), line, words));
        if (instructions.Count == 0) throw new RecipeException(new SourceLocation(file, 1), "FROM", "the recipe has no instructions");
        var first = instructions.FirstOrDefault(i => i is not ArgInstruction);
        if (first is not FromInstruction)
            throw new RecipeException(first?.Location ?? instructions[0].Location, first?.Keyword ?? "ARG",
                "the first instruction must be FROM (only ARG may come before it)");
        return new ParsedRecipe(file, instructions, escape);
    }

    /// <summary>One ONBUILD trigger of a base image, parsed as if it stood where the FROM that ran it stands.</summary>
    public static Instruction ParseTrigger(string trigger, SourceLocation at, ShellWords words) =>
        ParseLine(at, new LogicalLine(at.Line, trigger), words);

    private static Instruction ParseLine(SourceLocation location, LogicalLine line, ShellWords words)
    {
        var space = line.Text.IndexOfAny([' ', '\t']);
        var keyword = (space < 0 ? line.Text : line.Text[..space]).ToUpperInvariant();
        var rest = space < 0 ? "" : line.Text[(space + 1)..].Trim();
        // The cache key and the history carry the here-documents' bodies: a changed body is a changed step.
        var text = line.Text + string.Concat(line.Heredocs.Select(h => "\n" + h.Content + h.Name));
        try
        {
            return ParseInstruction(location, keyword, rest, text, words, line.Heredocs);
        }
        catch (FormatException e)
        {
            throw new RecipeException(location, keyword, e.Message);
        }
    }

    private static Instruction ParseInstruction(SourceLocation at, string keyword, string rest, string text, ShellWords words, IReadOnlyList<Heredoc> heredocs)
    {
        if (rest.Length == 0 && keyword is not ("CMD" or "ENTRYPOINT"))
            throw new FormatException("needs at least one argument");
        return keyword switch
        {
            "FROM" => ParseFrom(at, rest, text, words),
            "RUN" => RunParser.Parse(at, rest, text, words, heredocs),
            "CMD" => new CmdInstruction(at, text, ParseCommand(rest)),
            "ENTRYPOINT" => new EntrypointInstruction(at, text, ParseCommand(rest)),
            "COPY" or "ADD" => ParseCopy(at, keyword, rest, text, words, heredocs),
            "ENV" => new EnvInstruction(at, text, ParsePairs(rest, words, allowLegacy: true)),
            "LABEL" => new LabelInstruction(at, text, ParsePairs(rest, words, allowLegacy: false)),
            "ARG" => ParseArg(at, rest, text, words),
            "WORKDIR" => new WorkdirInstruction(at, text, rest),
            "USER" => new UserInstruction(at, text, rest),
            "EXPOSE" => new ExposeInstruction(at, text, words.SplitRaw(rest)),
            "VOLUME" => new VolumeInstruction(at, text, ParseJsonOrWords(rest, words)),
            "HEALTHCHECK" => RunParser.ParseHealthcheck(at, rest, text, words),
            "SHELL" => new ShellInstruction(at, text, TryParseJsonArray(rest) is { Count: > 0 } shell ? shell
                                                       : throw new FormatException("expected a JSON array, e.g. SHELL [\"/bin/sh\", \"-c\"]")),
            "STOPSIGNAL" => new StopSignalInstruction(at, text, rest),
            "ONBUILD" => ParseOnBuild(at, rest, text),
            "MAINTAINER" => new MaintainerInstruction(at, text, rest),
            _ => throw new FormatException("unknown instruction"),
        };
    }

    private static FromInstruction ParseFrom(SourceLocation at, string rest, string text, ShellWords words)
    {
        var parts = words.SplitRaw(rest).ToList();
        string? platform = null;
        while (parts.Count > 0 && parts[0].StartsWith("--", StringComparison.Ordinal))
        {
            if (!parts[0].StartsWith("--platform=", StringComparison.Ordinal)) throw new FormatException($"unsupported flag {parts[0].Split('=')[0]} (supported: --platform)");
            platform = parts[0]["--platform=".Length..];
            parts.RemoveAt(0);
        }
        return parts.Count switch
        {
            1 => new FromInstruction(at, text, parts[0], null) { Platform = platform },
            3 when parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) => new FromInstruction(at, text, parts[0], ValidStageName(parts[2])) { Platform = platform },
            _ => throw new FormatException("expected FROM [--platform=P] IMAGE [AS NAME]"),
        };
    }

    private static string ValidStageName(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? name.ToLowerInvariant()
            : throw new FormatException($"invalid stage name '{name}'");

    /// <summary>A JSON array of strings is exec form; anything else (even broken JSON) is shell form, as in Docker.</summary>
    internal static CommandLine ParseCommand(string rest)
    {
        if (TryParseJsonArray(rest) is { } exec) return CommandLine.ExecForm(exec);
        return CommandLine.ShellForm(rest);
    }

    private static IReadOnlyList<string> ParseJsonOrWords(string rest, ShellWords words) =>
        TryParseJsonArray(rest) ?? words.SplitRaw(rest);

    internal static IReadOnlyList<string>? TryParseJsonArray(string rest)
    {
        if (!rest.StartsWith('[')) return null;
        try
        {
            using var document = JsonDocument.Parse(rest);
            if (document.RootElement.ValueKind != JsonValueKind.Array) return null;
            var items = new List<string>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) return null;
                items.Add(item.GetString()!);
            }
            return items;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static CopyInstruction ParseCopy(SourceLocation at, string keyword, string rest, string text, ShellWords words, IReadOnlyList<Heredoc> heredocs)
    {
        var parts = words.SplitRaw(rest).ToList();
        var flags = new CopyFlags(keyword);
        while (parts.Count > 0 && parts[0].StartsWith("--", StringComparison.Ordinal))
        {
            flags.Take(parts[0]);
            parts.RemoveAt(0);
        }
        var json = TryParseJsonArray(string.Join(' ', parts));
        var all = json?.Select(QuoteForLater).ToList() ?? parts;
        if (all.Count < 2) throw new FormatException($"needs at least one source and a destination");
        var sources = all[..^1];
        var named = heredocs.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var source in sources.Where(s => s.StartsWith("<<", StringComparison.Ordinal)))
            if (LogicalLines.Markers(source) is not [var marker] || !named.Contains(marker.Name))
                throw new FormatException($"{source}: not a here-document of this instruction");
        if (heredocs.Count > 0 && flags.From is not null) throw new FormatException("here-documents cannot be combined with --from");
        return new CopyInstruction(at, keyword, text, sources, all[^1], flags.Chown, flags.Chmod)
        {
            From = flags.From, Link = flags.Link, Parents = flags.Parents, Excludes = flags.Excludes, Checksum = flags.Checksum, Heredocs = heredocs,
        };
    }

    private static OnBuildInstruction ParseOnBuild(SourceLocation at, string rest, string text)
    {
        var trigger = rest.Split([' ', '\t'], 2)[0].ToUpperInvariant();
        if (trigger is "ONBUILD" or "FROM" or "MAINTAINER")
            throw new FormatException($"{trigger} is not allowed as an ONBUILD trigger");
        return new OnBuildInstruction(at, text, rest);
    }

    // JSON-form paths are literal: single-quote them so the later expansion leaves them as written.
    private static string QuoteForLater(string literal) => "'" + literal.Replace("'", "'\"'\"'") + "'";

    private static ArgInstruction ParseArg(SourceLocation at, string rest, string text, ShellWords words)
    {
        var parts = words.SplitRaw(rest);
        if (parts.Count != 1) throw new FormatException("expected ARG NAME[=default]");
        var equals = parts[0].IndexOf('=');
        var name = equals < 0 ? parts[0] : parts[0][..equals];
        if (!IsName(name)) throw new FormatException($"invalid ARG name '{name}'");
        return new ArgInstruction(at, text, name, equals < 0 ? null : parts[0][(equals + 1)..]);
    }

    private static IReadOnlyList<RawPair> ParsePairs(string rest, ShellWords words, bool allowLegacy)
    {
        var parts = words.SplitRaw(rest);
        if (allowLegacy && !parts[0].Contains('='))
        {
            // Legacy form `ENV NAME value with spaces`: the rest of the line is the value.
            var value = rest[parts[0].Length..].Trim();
            if (!IsName(parts[0])) throw new FormatException($"invalid variable name '{parts[0]}'");
            if (value.Length == 0) throw new FormatException($"ENV {parts[0]} needs a value");
            return [new RawPair(parts[0], value)];
        }
        var pairs = new List<RawPair>();
        foreach (var part in parts)
        {
            var equals = part.IndexOf('=');
            if (equals <= 0) throw new FormatException($"expected KEY=VALUE, got '{part}'");
            pairs.Add(new RawPair(part[..equals], part[(equals + 1)..]));
        }
        return pairs;
    }

    internal static bool IsName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
