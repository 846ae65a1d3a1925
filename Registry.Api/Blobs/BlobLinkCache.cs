using Registry.Api.Caching;

namespace Registry.Api.Blobs;

/// <summary>
/// Blob HEAD and GET ask whether a repository has a blob and how large it is; the answer (digest → size)
/// is kept in memory so that they need no database query. Only positive answers are kept: a link never
/// changes its size, and it goes away only by a blob DELETE (dropped here at once), a repository delete
/// (likewise) or garbage collection and other replicas (seen within <c>Registry:BlobCacheSeconds</c>, 5 s).
/// </summary>
public sealed class BlobLinkCache(TimeSpan lifetime, TimeProvider clock) : RepositoryCache<long>(lifetime, clock);
