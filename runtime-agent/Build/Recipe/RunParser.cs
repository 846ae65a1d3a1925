namespace RuntimeAgent.Build.Recipe;

/// <summary>
/// RUN's flags and here-documents, and HEALTHCHECK (whose CMD is a RUN-like command). Here-documents follow
/// BuildKit: <c>RUN &lt;&lt;EOF</c> alone runs the body as a shell script; any other use hands the shell the line
/// with the bodies re-attached, so <c>RUN python3 &lt;&lt;EOF</c> and several per line work as they do in sh.
/// See: https://docs.docker.com/reference/dockerfile/#run
/// See: https://docs.docker.com/reference/dockerfile/#healthcheck
/// </summary>
internal static class RunParser
{
    public static RunInstruction Parse(SourceLocation at, string rest, string text, ShellWords words, IReadOnlyList<Heredoc> heredocs)
    {
        var mounts = new List<string>();
        string? network = null;
        while (rest.StartsWith("--", StringComparison.Ordinal))
        {
            var space = rest.IndexOfAny([' ', '\t']);
            var flag = words.SplitRaw(space < 0 ? rest : rest[..space]).Single();
            rest = space < 0 ? "" : rest[(space + 1)..].TrimStart();
            if (flag.StartsWith("--mount=", StringComparison.Ordinal))
            {
                var mount = flag["--mount=".Length..];
                if (!mount.Contains('$')) Mounts.RunMountSpec.Parse(mount); // checked now; with variables, once they are known
                mounts.Add(mount);
            }
            else if (flag.StartsWith("--network=", StringComparison.Ordinal))
                network = flag["--network=".Length..] is var mode && mode is "none" or "host" or "default" ? mode
                    : throw new FormatException($"{flag}: expected --network=none, host or default");
            else if (flag.StartsWith("--security=", StringComparison.Ordinal))
                throw new FormatException($"{flag}: RUN --security is not supported");
            else throw new FormatException($"unsupported flag {flag.Split('=')[0]} (supported: --mount, --network)");
        }
        if (rest.Length == 0) throw new FormatException("needs a command after its flags");
        return new RunInstruction(at, text, Command(rest, heredocs)) { Mounts = mounts, Network = network };
    }

    private static CommandLine Command(string rest, IReadOnlyList<Heredoc> heredocs)
    {
        if (heredocs.Count == 0) return RecipeParser.ParseCommand(rest);
        if (heredocs.Count == 1 && LogicalLines.Markers(rest) is [var only] && rest.Trim().Length == MarkerLength(rest))
        {
            if (heredocs[0].Content.StartsWith("#!", StringComparison.Ordinal))
                throw new FormatException($"<<{only.Name}: a here-document script with a #! line is not supported; write RUN INTERPRETER <<{only.Name}");
            return CommandLine.ShellForm(heredocs[0].Content);
        }
        return CommandLine.ShellForm(rest + string.Concat(heredocs.Select(h => "\n" + h.Content + h.Name)));
    }

    private static int MarkerLength(string rest) => System.Text.RegularExpressions.Regex.Match(rest, """<<-?["']?[A-Za-z_][A-Za-z0-9_]*["']?""").Length;

    public static HealthcheckInstruction ParseHealthcheck(SourceLocation at, string rest, string text, ShellWords words)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        while (rest.StartsWith("--", StringComparison.Ordinal))
        {
            var space = rest.IndexOfAny([' ', '\t']);
            var flag = space < 0 ? rest : rest[..space];
            rest = space < 0 ? "" : rest[(space + 1)..].TrimStart();
            var equals = flag.IndexOf('=');
            var name = equals < 0 ? flag : flag[..equals];
            if (name is not ("--interval" or "--timeout" or "--start-period" or "--start-interval" or "--retries") || equals < 0)
                throw new FormatException($"unsupported flag {flag} (supported: --interval, --timeout, --start-period, --start-interval, --retries)");
            options[name[2..]] = flag[(equals + 1)..];
        }
        var space2 = rest.IndexOfAny([' ', '\t']);
        var type = (space2 < 0 ? rest : rest[..space2]).ToUpperInvariant();
        if (type == "NONE")
        {
            if (space2 >= 0 || options.Count > 0) throw new FormatException("HEALTHCHECK NONE takes no arguments or flags");
            return new HealthcheckInstruction(at, text, null, options);
        }
        if (type != "CMD" || space2 < 0) throw new FormatException("expected HEALTHCHECK [OPTIONS] CMD command, or HEALTHCHECK NONE");
        return new HealthcheckInstruction(at, text, RecipeParser.ParseCommand(rest[(space2 + 1)..].Trim()), options);
    }
}
