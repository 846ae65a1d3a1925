namespace Registry.Storage.Policies;

/// <summary>
/// Bytes a manifest push adds to its organization's tracked usage. The store applies it as the first statement of the
/// manifest's own transaction, so the increment commits exactly when the manifest does and holds the usage row until
/// then: a recount (which locks the same row before it counts) sees either neither or both, never the manifest
/// without its increment, which would count the bytes twice.
/// </summary>
public sealed record UsageCharge(string Organization, long Bytes);
