using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.Metadata.Configurations;

internal sealed class ManifestReferenceConfiguration : IEntityTypeConfiguration<ManifestReferenceEntity>
{
    public void Configure(EntityTypeBuilder<ManifestReferenceEntity> entity)
    {
        entity.ToTable("manifest_references");
        entity.HasKey(r => new { r.ManifestId, r.Digest });
        entity.Property(r => r.ManifestId).HasColumnName("manifest_id");
        entity.Property(r => r.Digest).HasColumnName("digest").HasMaxLength(150);
        entity.Property(r => r.Kind).HasColumnName("kind");
        entity.HasOne<ManifestEntity>().WithMany().HasForeignKey(r => r.ManifestId).OnDelete(DeleteBehavior.Cascade);
        // Garbage collection marks from here: "which manifests still use this digest?"
        entity.HasIndex(r => r.Digest);
    }
}
