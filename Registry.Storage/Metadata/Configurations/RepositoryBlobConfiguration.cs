using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.Metadata.Configurations;

internal sealed class RepositoryBlobConfiguration : IEntityTypeConfiguration<RepositoryBlobEntity>
{
    public void Configure(EntityTypeBuilder<RepositoryBlobEntity> entity)
    {
        entity.ToTable("repository_blobs");
        entity.HasKey(l => new { l.RepositoryId, l.Digest });
        entity.Property(l => l.RepositoryId).HasColumnName("repository_id");
        entity.Property(l => l.Digest).HasColumnName("digest").HasMaxLength(150);
        entity.Property(l => l.CreatedAt).HasColumnName("created_at");
        entity.HasOne<RepositoryEntity>().WithMany().HasForeignKey(l => l.RepositoryId).OnDelete(DeleteBehavior.Cascade);
        // Restrict: a blob row outlives its links; garbage collection removes it, never a cascade.
        entity.HasOne<BlobEntity>().WithMany().HasForeignKey(l => l.Digest).OnDelete(DeleteBehavior.Restrict);
        entity.HasIndex(l => l.Digest);
    }
}
