using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Registry.Storage.Replication;

internal sealed class ReplicationRuleConfiguration : IEntityTypeConfiguration<ReplicationRuleEntity>
{
    public void Configure(EntityTypeBuilder<ReplicationRuleEntity> entity)
    {
        entity.ToTable("replication_rules");
        entity.HasKey(r => r.Id);
        entity.Property(r => r.Id).HasColumnName("id");
        entity.Property(r => r.Organization).HasColumnName("organization").HasMaxLength(255);
        entity.Property(r => r.Repositories).HasColumnName("repositories").HasMaxLength(255);
        entity.Property(r => r.Tags).HasColumnName("tags").HasMaxLength(128);
        entity.Property(r => r.Target).HasColumnName("target").HasMaxLength(2048);
        entity.Property(r => r.TargetRepositoryPrefix).HasColumnName("target_repository_prefix").HasMaxLength(255);
        entity.Property(r => r.Username).HasColumnName("username").HasMaxLength(255);
        entity.Property(r => r.ProtectedPassword).HasColumnName("protected_password");
        entity.Property(r => r.CreatedBy).HasColumnName("created_by").HasMaxLength(255);
        entity.Property(r => r.CreatedAt).HasColumnName("created_at");
        entity.Property(r => r.Cursor).HasColumnName("cursor");
        entity.Property(r => r.LastSuccessAt).HasColumnName("last_success_at");
        entity.Property(r => r.LastReplicated).HasColumnName("last_replicated").HasMaxLength(1024);
        entity.Property(r => r.LastError).HasColumnName("last_error").HasMaxLength(2048);
        entity.Property(r => r.LastErrorAt).HasColumnName("last_error_at");
        entity.Property(r => r.FailedAttempts).HasColumnName("failed_attempts");
        entity.Property(r => r.NextAttemptAt).HasColumnName("next_attempt_at");
        entity.Property(r => r.ClaimedUntil).HasColumnName("claimed_until");
        entity.HasIndex(r => r.Organization);
    }
}
