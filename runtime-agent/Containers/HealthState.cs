using Registry.Oci;

namespace RuntimeAgent.Containers;

/// <summary>A health check's verdicts, as Docker names them.</summary>
public static class HealthStatus
{
    public const string Starting = "starting", Healthy = "healthy", Unhealthy = "unhealthy";
}

/// <summary>One run of the health check: when, its exit code (-1: it timed out) and the start of its output.</summary>
public sealed record HealthResult(DateTimeOffset Start, DateTimeOffset End, int ExitCode, string Output);

/// <summary>
/// The latest health of a container with a check (<c>inspect</c>'s <c>state.health</c>): the status, how many checks in a
/// row failed, and the last few results. Reset to <see cref="HealthStatus.Starting"/> whenever the container (re)starts.
/// </summary>
public sealed class HealthState
{
    private const int KeptResults = 5;

    public string Status { get; set; } = HealthStatus.Starting;
    public int FailingStreak { get; set; }
    public List<HealthResult> Log { get; set; } = [];

    /// <summary>
    /// Docker's rule: a pass makes the container healthy; a failure counts only after the start period, and
    /// <paramref name="retries"/> failures in a row make it unhealthy.
    /// </summary>
    public void Record(HealthResult result, int retries, bool inStartPeriod)
    {
        Log.Add(result);
        if (Log.Count > KeptResults) Log.RemoveRange(0, Log.Count - KeptResults);
        if (result.ExitCode == 0)
        {
            (Status, FailingStreak) = (HealthStatus.Healthy, 0);
            return;
        }
        if (inStartPeriod) return;
        FailingStreak++;
        if (FailingStreak >= retries) Status = HealthStatus.Unhealthy;
    }
}

/// <summary>
/// <c>run -d</c>'s health flags: <c>--health-cmd</c> (a shell command), <c>--health-interval</c>, <c>--health-timeout</c>,
/// <c>--health-start-period</c> (durations such as 30s or 1m30s), <c>--health-retries</c>, <c>--no-healthcheck</c>.
/// They override the image's HEALTHCHECK field by field.
/// See: https://docs.docker.com/reference/cli/docker/container/run/#healthcheck
/// </summary>
public sealed record HealthOptions(string? Command, string? Interval, string? Timeout, string? StartPeriod, int? Retries, bool Disabled)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30), DefaultTimeout = TimeSpan.FromSeconds(30);
    public const int DefaultRetries = 3;

    /// <summary><c>--health-on-failure</c>: what happens when the container turns unhealthy (podman's flag; restart needs -d).</summary>
    public string OnFailure { get; init; } = "none";

    public static readonly string[] OnFailureActions = ["none", "kill", "restart", "stop"];

    /// <summary>No flag given: the image's check as it is.</summary>
    public static readonly HealthOptions None = new(null, null, null, null, null, false);

    public bool Any => Command is not null || Interval is not null || Timeout is not null || StartPeriod is not null || Retries is not null || Disabled;

    /// <summary>The check the monitor runs, or null for none (no HEALTHCHECK, HEALTHCHECK NONE, or --no-healthcheck).</summary>
    public HealthConfig? Resolve(HealthConfig? image)
    {
        var (interval, timeout, startPeriod) = (Duration("health-interval", Interval), Duration("health-timeout", Timeout),
            Duration("health-start-period", StartPeriod));
        if (Retries is < 1) throw new FormatException($"--health-retries={Retries}: expected 1 or more");
        if (Disabled)
            return Command is null ? null : throw new FormatException("--no-healthcheck conflicts with --health-cmd");
        var test = Command is not null ? ["CMD-SHELL", Command] : image?.Test;
        if (test is not [_, _, ..] || test[0] is not ("CMD" or "CMD-SHELL")) return null; // none, or NONE
        return new HealthConfig
        {
            Test = test,
            Interval = interval ?? image?.Interval,
            Timeout = timeout ?? image?.Timeout,
            StartPeriod = startPeriod ?? image?.StartPeriod,
            Retries = Retries ?? image?.Retries,
        };
    }

    private static long? Duration(string name, string? text) => text is null ? null : Build.Healthcheck.Duration(name, text);
}
