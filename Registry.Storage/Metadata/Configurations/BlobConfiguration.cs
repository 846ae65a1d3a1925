using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.Metadata.Configurations;

internal sealed class BlobConfiguration : IEntityTypeConfiguration<BlobEntity>
{
    public void Configure(EntityTypeBuilder<BlobEntity> entity)
    {
        entity.ToTable("blobs");
        entity.HasKey(b => b.Digest);
        entity.Property(b => b.Digest).HasColumnName("digest").HasMaxLength(150);
        entity.Property(b => b.Size).HasColumnName("size");
        entity.Property(b => b.CreatedAt).HasColumnName("created_at");
        entity.Property(b => b.LastReferencedAt).HasColumnName("last_referenced_at");
        // Garbage collection's candidates: blobs untouched since the grace period's cutoff.
        entity.HasIndex(b => b.LastReferencedAt);
    }
}
