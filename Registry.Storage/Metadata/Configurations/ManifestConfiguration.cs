using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.Metadata.Configurations;

internal sealed class ManifestConfiguration : IEntityTypeConfiguration<ManifestEntity>
{
    public void Configure(EntityTypeBuilder<ManifestEntity> entity)
    {
        entity.ToTable("manifests");
        entity.HasKey(m => m.Id);
        entity.Property(m => m.Id).HasColumnName("id");
        entity.Property(m => m.RepositoryId).HasColumnName("repository_id");
        entity.Property(m => m.Digest).HasColumnName("digest").HasMaxLength(150);
        entity.Property(m => m.MediaType).HasColumnName("media_type").HasMaxLength(255);
        entity.Property(m => m.ArtifactType).HasColumnName("artifact_type").HasMaxLength(255);
        entity.Property(m => m.SubjectDigest).HasColumnName("subject_digest").HasMaxLength(150);
        entity.Property(m => m.AnnotationsJson).HasColumnName("annotations_json");
        entity.Property(m => m.Content).HasColumnName("content");
        entity.Property(m => m.Size).HasColumnName("size");
        entity.Property(m => m.CreatedAt).HasColumnName("created_at");
        entity.HasOne<RepositoryEntity>().WithMany().HasForeignKey(m => m.RepositoryId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(m => new { m.RepositoryId, m.Digest }).IsUnique();
        entity.HasIndex(m => new { m.RepositoryId, m.SubjectDigest });
    }
}
