using Registry.Oci;
using System.Globalization;
using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Recipe;

namespace RuntimeAgent.Build;

/// <summary>
/// HEALTHCHECK into Docker's config record: <c>CMD-SHELL</c> for shell form, <c>CMD</c> for exec form, <c>NONE</c>
/// to turn off an inherited check (CMD-SHELL keeps the text: the runtime picks the shell); durations written as nanoseconds, as Docker stores them.
/// See: https://docs.docker.com/reference/dockerfile/#healthcheck
/// </summary>
internal static class Healthcheck
{
    public static HealthConfig Config(HealthcheckInstruction health)
    {
        if (health.Test is null) return new HealthConfig { Test = ["NONE"] };
        var config = new HealthConfig
        {
            Test = health.Test.Exec is { } exec ? ["CMD", .. exec] : ["CMD-SHELL", health.Test.Shell!],
        };
        foreach (var (name, value) in health.Options)
        {
            switch (name)
            {
                case "retries":
                    config.Retries = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var retries)
                        ? retries : throw new FormatException($"--retries={value}: expected a whole number");
                    break;
                case "interval": config.Interval = Duration(name, value); break;
                case "timeout": config.Timeout = Duration(name, value); break;
                case "start-period": config.StartPeriod = Duration(name, value); break;
                case "start-interval": config.StartInterval = Duration(name, value); break;
            }
        }
        return config;
    }

    /// <summary>A Go duration (<c>30s</c>, <c>1m30s</c>, <c>500ms</c>) in nanoseconds; zero is "not set".</summary>
    internal static long? Duration(string name, string text)
    {
        var total = 0.0;
        var i = 0;
        if (text.Length == 0) throw new FormatException($"--{name}: empty duration");
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]) || i < text.Length && text[i] == 'µ') i++;
            if (start == unitStart || !double.TryParse(text[start..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                throw new FormatException($"--{name}={text}: expected a duration such as 30s or 1m30s");
            total += number * (text[unitStart..i] switch
            {
                "ns" => 1, "us" or "µs" => 1e3, "ms" => 1e6, "s" => 1e9, "m" => 60e9, "h" => 3600e9,
                _ => throw new FormatException($"--{name}={text}: unknown unit '{text[unitStart..i]}' (ns, us, ms, s, m, h)"),
            });
        }
        return total == 0 ? null : (long)total;
    }
}
