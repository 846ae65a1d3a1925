using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.Metadata.Configurations;

internal sealed class RepositoryConfiguration : IEntityTypeConfiguration<RepositoryEntity>
{
    public void Configure(EntityTypeBuilder<RepositoryEntity> entity)
    {
        entity.ToTable("repositories");
        entity.HasKey(r => r.Id);
        entity.Property(r => r.Id).HasColumnName("id");
        entity.Property(r => r.Name).HasColumnName("name").HasMaxLength(255);
        entity.Property(r => r.CreatedAt).HasColumnName("created_at");
        entity.HasIndex(r => r.Name).IsUnique();
    }
}
