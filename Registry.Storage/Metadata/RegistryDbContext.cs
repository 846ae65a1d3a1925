using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.Metadata;

/// <summary>
/// The registry's metadata database (SQLite or PostgreSQL). Every entity is configured by its own
/// <see cref="IEntityTypeConfiguration{TEntity}"/>: Storage's from this assembly, other areas' (the accounts of
/// Registry.Auth) through the <see cref="IMetadataModelContribution"/>s in the options (<see cref="MetadataModel"/>),
/// so new areas add configuration classes, not edits here.
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
        foreach (var contribution in MetadataModel.Of(this.GetService<IDbContextOptions>())) contribution.Configure(modelBuilder);
        // Names are listed in byte order (the spec's lexical order). SQLite's default BINARY collation
        // already is; PostgreSQL's follows the cluster's locale unless told otherwise.
        if (Database.IsNpgsql())
        {
            modelBuilder.Entity<RepositoryEntity>().Property(r => r.Name).UseCollation("C");
            modelBuilder.Entity<TagEntity>().Property(t => t.Name).UseCollation("C");
        }
    }
}
