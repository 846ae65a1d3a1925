namespace RuntimeAgent.Build.Layers;

/// <summary>
/// Which modification time a layer entry gets, so that the same recipe and context give the same layer
/// digests: an entry changed by this step gets <see cref="FixedTime"/> (SOURCE_DATE_EPOCH, default 0),
/// an entry the step did not touch (e.g. a directory overlayfs copied up) keeps its own time.
/// </summary>
public sealed record TimestampPolicy(long FixedTime, long? ChangedSince)
{
    /// <summary>The time the tar records for an entry whose mtime on disk is <paramref name="seconds"/>.</summary>
    public long Apply(long seconds) => ChangedSince is { } since && seconds < since ? seconds : FixedTime;

    /// <summary>Every entry gets the fixed time: for layers made from build-context files.</summary>
    public static TimestampPolicy AllFixed(long fixedTime) => new(fixedTime, null);

    /// <summary>
    /// For a RUN step started at <paramref name="stepStart"/>: the kernel's file clock is coarse and may lag
    /// the wall clock by a tick, so anything from the second before the start counts as changed too.
    /// </summary>
    public static TimestampPolicy ChangedAfter(long fixedTime, DateTimeOffset stepStart) => new(fixedTime, stepStart.ToUnixTimeSeconds() - 1);

    /// <summary>SOURCE_DATE_EPOCH from the environment, else 0 (1970-01-01).</summary>
    public static long DefaultFixedTime() =>
        long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), out var epoch) && epoch >= 0 ? epoch : 0;
}
