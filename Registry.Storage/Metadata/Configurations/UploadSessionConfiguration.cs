using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.Metadata.Configurations;

internal sealed class UploadSessionConfiguration : IEntityTypeConfiguration<UploadSessionEntity>
{
    public void Configure(EntityTypeBuilder<UploadSessionEntity> entity)
    {
        entity.ToTable("upload_sessions");
        entity.HasKey(u => u.Id);
        entity.Property(u => u.Id).HasColumnName("id").HasMaxLength(32);
        entity.Property(u => u.RepositoryName).HasColumnName("repository_name").HasMaxLength(255);
        entity.Property(u => u.Offset).HasColumnName("byte_offset");
        entity.Property(u => u.StartedAt).HasColumnName("started_at");
        entity.Property(u => u.UpdatedAt).HasColumnName("updated_at");
        entity.HasIndex(u => u.UpdatedAt);
    }
}
