namespace Registry.Storage.Policies;

/// <summary>
/// An organization's storage budget and what it uses. <see cref="Bytes"/> is kept current by every manifest
/// push (an atomic increment); a recount replaces both figures with exact ones (after deletes, on a timer).
/// A row exists once someone set a quota or read the usage; organizations without one are not tracked.
/// </summary>
public sealed class OrganizationUsageEntity
{
    public required string Organization { get; set; }
    /// <summary>The most the organization may reference, in bytes; null for no limit.</summary>
    public long? QuotaBytes { get; set; }
    /// <summary>Bytes of the distinct blobs that the organization's manifests reference.</summary>
    public long Bytes { get; set; }
    /// <summary>The part of <see cref="Bytes"/> that no repository outside the organization references.</summary>
    public long UniqueBytes { get; set; }
    public DateTime CountedAt { get; set; }
}
