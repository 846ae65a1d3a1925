using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Registry.Storage.Policies;

internal sealed class TagRuleConfiguration : IEntityTypeConfiguration<TagRuleEntity>
{
    public void Configure(EntityTypeBuilder<TagRuleEntity> entity)
    {
        entity.ToTable("tag_rules");
        entity.HasKey(r => r.Id);
        entity.Property(r => r.Id).HasColumnName("id");
        entity.Property(r => r.Organization).HasColumnName("organization").HasMaxLength(255);
        entity.Property(r => r.Repositories).HasColumnName("repositories").HasMaxLength(255);
        entity.Property(r => r.Tags).HasColumnName("tags").HasMaxLength(128);
        entity.Property(r => r.Immutable).HasColumnName("immutable");
        entity.Property(r => r.CreatedBy).HasColumnName("created_by").HasMaxLength(255);
        entity.Property(r => r.CreatedAt).HasColumnName("created_at");
        entity.HasIndex(r => r.Organization);
    }
}

internal sealed class OrganizationUsageConfiguration : IEntityTypeConfiguration<OrganizationUsageEntity>
{
    public void Configure(EntityTypeBuilder<OrganizationUsageEntity> entity)
    {
        entity.ToTable("organization_usage");
        entity.HasKey(u => u.Organization);
        entity.Property(u => u.Organization).HasColumnName("organization").HasMaxLength(255);
        entity.Property(u => u.QuotaBytes).HasColumnName("quota_bytes");
        entity.Property(u => u.Bytes).HasColumnName("bytes");
        entity.Property(u => u.UniqueBytes).HasColumnName("unique_bytes");
        entity.Property(u => u.CountedAt).HasColumnName("counted_at");
    }
}

internal sealed class RetentionRuleConfiguration : IEntityTypeConfiguration<RetentionRuleEntity>
{
    public void Configure(EntityTypeBuilder<RetentionRuleEntity> entity)
    {
        entity.ToTable("retention_rules");
        entity.HasKey(r => r.Id);
        entity.Property(r => r.Id).HasColumnName("id");
        entity.Property(r => r.Organization).HasColumnName("organization").HasMaxLength(255);
        entity.Property(r => r.Position).HasColumnName("position");
        entity.Property(r => r.Repositories).HasColumnName("repositories").HasMaxLength(255);
        entity.Property(r => r.Tags).HasColumnName("tags").HasMaxLength(128);
        entity.Property(r => r.KeepLast).HasColumnName("keep_last");
        entity.Property(r => r.OlderThanDays).HasColumnName("older_than_days");
        entity.Property(r => r.UntaggedOlderThanDays).HasColumnName("untagged_older_than_days");
        entity.Property(r => r.UpdatedBy).HasColumnName("updated_by").HasMaxLength(255);
        entity.Property(r => r.UpdatedAt).HasColumnName("updated_at");
        entity.HasIndex(r => new { r.Organization, r.Position }).IsUnique();
    }
}
