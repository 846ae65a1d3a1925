namespace RuntimeAgent.Containers;

/// <summary>
/// <c>--restart no|on-failure[:N]|always</c>, applied by the monitor when the container exits. Restarts wait
/// 100 ms, doubling up to a minute, and the delay starts over once a run has lasted 10 seconds (Docker's rule),
/// so a crash loop does not spin while a service that crashes once a day restarts at once.
/// </summary>
public sealed record RestartPolicy(string Mode, int MaxRetries)
{
    public static readonly RestartPolicy No = new("no", 0);
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);

    public static RestartPolicy Parse(string text)
    {
        var parts = text.Split(':', 2);
        return parts[0] switch
        {
            "no" when parts.Length == 1 => No,
            "always" when parts.Length == 1 => new("always", 0),
            "on-failure" when parts.Length == 1 => new("on-failure", 0),
            "on-failure" when int.TryParse(parts[1], out var n) && n > 0 => new("on-failure", n),
            _ => throw new ContainerStateException($"invalid restart policy '{text}': use no, on-failure[:N] (N > 0) or always"),
        };
    }

    /// <summary>Whether a container that exited with <paramref name="exitCode"/> after <paramref name="restarts"/> restarts runs again.</summary>
    public bool ShouldRestart(int exitCode, int restarts, bool stopRequested) => !stopRequested && Mode switch
    {
        "always" => true,
        "on-failure" => exitCode != 0 && (MaxRetries == 0 || restarts < MaxRetries),
        _ => false,
    };

    /// <summary>The wait before the next start, given the previous wait and how long the last run lasted.</summary>
    public static TimeSpan NextDelay(TimeSpan previous, TimeSpan lastRun) =>
        lastRun >= StableRun || previous == TimeSpan.Zero ? FirstDelay : TimeSpan.FromTicks(Math.Min(previous.Ticks * 2, MaxDelay.Ticks));

    public override string ToString() => MaxRetries > 0 ? $"{Mode}:{MaxRetries}" : Mode;
}
