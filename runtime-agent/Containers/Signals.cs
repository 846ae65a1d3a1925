namespace RuntimeAgent.Containers;

/// <summary>Signal names and numbers as <c>kill -s</c> and an image's StopSignal write them (SIGTERM, TERM, 15).</summary>
public static class Signals
{
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["BUS"] = 7, ["FPE"] = 8,
        ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14, ["TERM"] = 15,
        ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21, ["TTOU"] = 22,
        ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28, ["IO"] = 29,
        ["PWR"] = 30, ["SYS"] = 31,
    };

    /// <summary>The signal that stops a container of an image: its StopSignal, SIGTERM when it names none.</summary>
    public static int StopSignalOf(string? imageStopSignal) => imageStopSignal is { Length: > 0 } ? Parse(imageStopSignal) : 15;

    public static int Parse(string text)
    {
        var name = text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? text[3..] : text;
        if (Numbers.TryGetValue(name, out var number)) return number;
        if (int.TryParse(text, out number) && number is > 0 and <= 64) return number;
        if (name.StartsWith("RTMIN+", StringComparison.OrdinalIgnoreCase) && int.TryParse(name[6..], out var offset) && offset is >= 0 and <= 30)
            return 34 + offset;
        throw new ContainerStateException($"invalid signal '{text}'");
    }
}
