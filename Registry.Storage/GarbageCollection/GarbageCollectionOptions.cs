namespace Registry.Storage.GarbageCollection;

/// <summary>
/// Online garbage collection settings, bound from <c>Registry:Gc</c> (<c>Registry__Gc__GracePeriod</c>, …).
/// TimeSpans use the .NET format: <c>1.00:00:00</c> is a day, <c>00:30:00</c> half an hour.
/// </summary>
public sealed class GarbageCollectionOptions
{
    /// <summary>
    /// How long a blob must have been unreferenced (no upload, link, mount, manifest push or manifest delete
    /// touching it) before it is swept. It is what protects a push between its blob uploads and its manifest
    /// PUT, so keep it well above the longest push. Default 24 hours.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Upload sessions idle (no PATCH) for longer than this are purged with their staged bytes. Default 24 hours.</summary>
    public TimeSpan UploadTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the scheduled collection runs; zero (the default) turns the schedule off.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Also delete manifests that no tag reaches (directly, as an index child, or as a referrer of a reachable
    /// manifest) once they are older than the grace period. Default false: every manifest is a root.
    /// </summary>
    public bool DeleteUntaggedManifests { get; set; }

    /// <summary>Every problem with these settings, each saying what to fix.</summary>
    public IEnumerable<string> Validate()
    {
        if (GracePeriod < TimeSpan.Zero) yield return "Registry:Gc:GracePeriod is negative; set Registry__Gc__GracePeriod to e.g. 1.00:00:00 (a day).";
        if (UploadTtl < TimeSpan.Zero) yield return "Registry:Gc:UploadTtl is negative; set Registry__Gc__UploadTtl to e.g. 1.00:00:00 (a day).";
        if (Interval < TimeSpan.Zero) yield return "Registry:Gc:Interval is negative; set Registry__Gc__Interval to 0 (off) or e.g. 01:00:00.";
    }
}
