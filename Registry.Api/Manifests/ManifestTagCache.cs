using Registry.Api.Caching;
using Registry.Storage.Metadata;

namespace Registry.Api.Manifests;

/// <summary>
/// Manifest GET by tag is the hottest small request, so the tag → manifest answer is kept in memory,
/// dropped when this replica writes or deletes the tag (or the repository's manifests); writes by other
/// replicas show within <c>Registry:ManifestCacheSeconds</c> (default 5 s).
/// </summary>
public sealed class ManifestTagCache(TimeSpan lifetime, TimeProvider clock) : RepositoryCache<StoredManifest>(lifetime, clock);
