using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Registry.Storage.Events;

internal sealed class EventConfiguration : IEntityTypeConfiguration<EventEntity>
{
    public void Configure(EntityTypeBuilder<EventEntity> entity)
    {
        entity.ToTable("events");
        entity.HasKey(e => e.Id);
        entity.Property(e => e.Id).HasColumnName("id").ValueGeneratedOnAdd();
        entity.Property(e => e.EventId).HasColumnName("event_id").HasMaxLength(64);
        entity.Property(e => e.Type).HasColumnName("type").HasMaxLength(64);
        entity.Property(e => e.Repository).HasColumnName("repository").HasMaxLength(255);
        entity.Property(e => e.Digest).HasColumnName("digest").HasMaxLength(200);
        entity.Property(e => e.Tag).HasColumnName("tag").HasMaxLength(128);
        entity.Property(e => e.OccurredAt).HasColumnName("occurred_at");
        entity.Property(e => e.DataJson).HasColumnName("data_json");
        entity.HasIndex(e => e.EventId).IsUnique();
        entity.HasIndex(e => e.OccurredAt);
    }
}

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<WebhookEntity>
{
    public void Configure(EntityTypeBuilder<WebhookEntity> entity)
    {
        entity.ToTable("webhooks");
        entity.HasKey(w => w.Id);
        entity.Property(w => w.Id).HasColumnName("id").ValueGeneratedOnAdd();
        entity.Property(w => w.Organization).HasColumnName("organization").HasMaxLength(255);
        entity.Property(w => w.ConfigName).HasColumnName("config_name").HasMaxLength(64);
        entity.Property(w => w.Url).HasColumnName("url").HasMaxLength(2048);
        entity.Property(w => w.Secret).HasColumnName("secret"); // protected: longer than the 512 characters a secret may have
        entity.Property(w => w.Events).HasColumnName("events").HasMaxLength(1024);
        entity.Property(w => w.Repositories).HasColumnName("repositories").HasMaxLength(255);
        entity.Property(w => w.Format).HasColumnName("format").HasMaxLength(32);
        entity.Property(w => w.Enabled).HasColumnName("enabled");
        entity.Property(w => w.Cursor).HasColumnName("cursor");
        entity.Property(w => w.CreatedAt).HasColumnName("created_at");
        entity.HasIndex(w => w.Organization);
        entity.HasIndex(w => w.ConfigName).IsUnique();
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDeliveryEntity>
{
    public void Configure(EntityTypeBuilder<WebhookDeliveryEntity> entity)
    {
        entity.ToTable("webhook_deliveries");
        entity.HasKey(d => d.Id);
        entity.Property(d => d.Id).HasColumnName("id").ValueGeneratedOnAdd();
        entity.Property(d => d.WebhookId).HasColumnName("webhook_id");
        entity.Property(d => d.EventId).HasColumnName("event_id");
        entity.Property(d => d.Repository).HasColumnName("repository").HasMaxLength(255);
        entity.Property(d => d.State).HasColumnName("state");
        entity.Property(d => d.Attempts).HasColumnName("attempts");
        entity.Property(d => d.CreatedAt).HasColumnName("created_at");
        entity.Property(d => d.NextAttemptAt).HasColumnName("next_attempt_at");
        entity.Property(d => d.ClaimedUntil).HasColumnName("claimed_until");
        entity.Property(d => d.LastAttemptAt).HasColumnName("last_attempt_at");
        entity.Property(d => d.LastStatus).HasColumnName("last_status");
        entity.Property(d => d.LastError).HasColumnName("last_error").HasMaxLength(1024);
        entity.HasOne<WebhookEntity>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne<EventEntity>().WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade);
        // The claim query: pending deliveries per webhook and repository in id order.
        entity.HasIndex(d => new { d.State, d.WebhookId, d.Repository, d.Id });
        entity.HasIndex(d => d.EventId);
    }
}

internal sealed class PullCountConfiguration : IEntityTypeConfiguration<PullCountEntity>
{
    public void Configure(EntityTypeBuilder<PullCountEntity> entity)
    {
        entity.ToTable("pull_counts");
        entity.HasKey(p => new { p.Repository, p.Digest, p.Actor, p.Hour });
        entity.Property(p => p.Repository).HasColumnName("repository").HasMaxLength(255);
        entity.Property(p => p.Digest).HasColumnName("digest").HasMaxLength(200);
        entity.Property(p => p.Actor).HasColumnName("actor").HasMaxLength(255);
        entity.Property(p => p.Hour).HasColumnName("hour");
        entity.Property(p => p.ClientAddress).HasColumnName("client_address").HasMaxLength(64);
        entity.Property(p => p.Count).HasColumnName("count");
        entity.HasIndex(p => p.Hour);
    }
}
