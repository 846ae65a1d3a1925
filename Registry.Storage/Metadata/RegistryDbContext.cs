using Microsoft.EntityFrameworkCore;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.Metadata;

/// <summary>
/// The registry's metadata database (SQLite or PostgreSQL). Every entity is configured by its own
/// <see cref="IEntityTypeConfiguration{TEntity}"/> in this assembly, so new areas (auth) add a
/// configuration class and a DbSet, not edits here.
/// </summary>
public class RegistryDbContext(DbContextOptions<RegistryDbContext> options) : DbContext(options)
{
    public DbSet<RepositoryEntity> Repositories => Set<RepositoryEntity>();
    public DbSet<BlobEntity> Blobs => Set<BlobEntity>();
    public DbSet<RepositoryBlobEntity> RepositoryBlobs => Set<RepositoryBlobEntity>();
    public DbSet<ManifestEntity> Manifests => Set<ManifestEntity>();
    public DbSet<ManifestReferenceEntity> ManifestReferences => Set<ManifestReferenceEntity>();
    public DbSet<TagEntity> Tags => Set<TagEntity>();
    public DbSet<UploadSessionEntity> UploadSessions => Set<UploadSessionEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RegistryDbContext).Assembly);
        // Names are listed in byte order (the spec's lexical order). SQLite's default BINARY collation
        // already is; PostgreSQL's follows the cluster's locale unless told otherwise.
        if (Database.IsNpgsql())
        {
            modelBuilder.Entity<RepositoryEntity>().Property(r => r.Name).UseCollation("C");
            modelBuilder.Entity<TagEntity>().Property(t => t.Name).UseCollation("C");
        }
    }
}
