using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.Metadata.Configurations;

internal sealed class TagConfiguration : IEntityTypeConfiguration<TagEntity>
{
    public void Configure(EntityTypeBuilder<TagEntity> entity)
    {
        entity.ToTable("tags");
        entity.HasKey(t => new { t.RepositoryId, t.Name });
        entity.Property(t => t.RepositoryId).HasColumnName("repository_id");
        entity.Property(t => t.Name).HasColumnName("name").HasMaxLength(128);
        entity.Property(t => t.ManifestId).HasColumnName("manifest_id");
        entity.Property(t => t.UpdatedAt).HasColumnName("updated_at");
        entity.HasOne<RepositoryEntity>().WithMany().HasForeignKey(t => t.RepositoryId).OnDelete(DeleteBehavior.Cascade);
        // Deleting a manifest removes the tags on it (the spec's DELETE-by-digest semantics).
        entity.HasOne<ManifestEntity>().WithMany().HasForeignKey(t => t.ManifestId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(t => t.ManifestId);
    }
}
