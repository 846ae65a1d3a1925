using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Registry.Auth.Data;

// One configuration per entity; AccountsModel applies them all to RegistryDbContext (ApplyConfigurationsFromAssembly).
// Enums are stored as text so the tables read well in psql/sqlite3.

internal sealed class UserConfiguration : IEntityTypeConfiguration<UserEntity>
{
    public void Configure(EntityTypeBuilder<UserEntity> e)
    {
        e.ToTable("users");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(64);
        e.Property(x => x.PasswordHash).HasColumnName("password_hash").HasMaxLength(256);
        e.Property(x => x.IsAdmin).HasColumnName("is_admin");
        e.Property(x => x.SecurityStamp).HasColumnName("security_stamp").HasMaxLength(64);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.ExternalSource).HasColumnName("external_source").HasMaxLength(16);
        e.Property(x => x.DisabledAt).HasColumnName("disabled_at");
        e.HasIndex(x => x.Name).IsUnique();
    }
}

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<OrganizationEntity>
{
    public void Configure(EntityTypeBuilder<OrganizationEntity> e)
    {
        e.ToTable("organizations");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(64);
        e.Property(x => x.DefaultVisibility).HasColumnName("default_visibility").HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.HasIndex(x => x.Name).IsUnique();
    }
}

internal sealed class OrganizationMemberConfiguration : IEntityTypeConfiguration<OrganizationMemberEntity>
{
    public void Configure(EntityTypeBuilder<OrganizationMemberEntity> e)
    {
        e.ToTable("organization_members");
        e.HasKey(x => new { x.OrganizationId, x.UserId });
        e.Property(x => x.OrganizationId).HasColumnName("organization_id");
        e.Property(x => x.UserId).HasColumnName("user_id");
        e.Property(x => x.Role).HasColumnName("role").HasConversion<string>().HasMaxLength(16);
        e.HasOne<OrganizationEntity>().WithMany().HasForeignKey(x => x.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<UserEntity>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.UserId);
    }
}

internal sealed class TeamConfiguration : IEntityTypeConfiguration<TeamEntity>
{
    public void Configure(EntityTypeBuilder<TeamEntity> e)
    {
        e.ToTable("teams");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.OrganizationId).HasColumnName("organization_id");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(64);
        e.HasOne<OrganizationEntity>().WithMany().HasForeignKey(x => x.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.OrganizationId, x.Name }).IsUnique();
    }
}

internal sealed class TeamMemberConfiguration : IEntityTypeConfiguration<TeamMemberEntity>
{
    public void Configure(EntityTypeBuilder<TeamMemberEntity> e)
    {
        e.ToTable("team_members");
        e.HasKey(x => new { x.TeamId, x.UserId });
        e.Property(x => x.TeamId).HasColumnName("team_id");
        e.Property(x => x.UserId).HasColumnName("user_id");
        e.HasOne<TeamEntity>().WithMany().HasForeignKey(x => x.TeamId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<UserEntity>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.UserId);
    }
}

internal sealed class RepositoryGrantConfiguration : IEntityTypeConfiguration<RepositoryGrantEntity>
{
    public void Configure(EntityTypeBuilder<RepositoryGrantEntity> e)
    {
        e.ToTable("repository_grants");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.TeamId).HasColumnName("team_id");
        e.Property(x => x.RobotId).HasColumnName("robot_id");
        e.Property(x => x.Pattern).HasColumnName("pattern").HasMaxLength(255);
        e.Property(x => x.Actions).HasColumnName("actions").HasMaxLength(64);
        e.HasOne<TeamEntity>().WithMany().HasForeignKey(x => x.TeamId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<RobotEntity>().WithMany().HasForeignKey(x => x.RobotId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.TeamId);
        e.HasIndex(x => x.RobotId);
    }
}

internal sealed class RobotConfiguration : IEntityTypeConfiguration<RobotEntity>
{
    public void Configure(EntityTypeBuilder<RobotEntity> e)
    {
        e.ToTable("robots");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.OrganizationId).HasColumnName("organization_id");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(64);
        e.Property(x => x.SecretHash).HasColumnName("secret_hash").HasMaxLength(64);
        e.Property(x => x.CreatedBy).HasColumnName("created_by").HasMaxLength(128);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.RevokedAt).HasColumnName("revoked_at");
        e.HasOne<OrganizationEntity>().WithMany().HasForeignKey(x => x.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.OrganizationId, x.Name }).IsUnique();
    }
}

internal sealed class PersonalAccessTokenConfiguration : IEntityTypeConfiguration<PersonalAccessTokenEntity>
{
    public void Configure(EntityTypeBuilder<PersonalAccessTokenEntity> e)
    {
        e.ToTable("personal_access_tokens");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.UserId).HasColumnName("user_id");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(64);
        e.Property(x => x.SecretHash).HasColumnName("secret_hash").HasMaxLength(64);
        e.Property(x => x.Actions).HasColumnName("actions").HasMaxLength(64);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
        e.Property(x => x.RevokedAt).HasColumnName("revoked_at");
        e.HasOne<UserEntity>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.SecretHash).IsUnique();
        e.HasIndex(x => x.UserId);
    }
}

internal sealed class RepositorySettingConfiguration : IEntityTypeConfiguration<RepositorySettingEntity>
{
    public void Configure(EntityTypeBuilder<RepositorySettingEntity> e)
    {
        e.ToTable("repository_settings");
        e.HasKey(x => x.RepositoryName);
        e.Property(x => x.RepositoryName).HasColumnName("repository_name").HasMaxLength(255);
        e.Property(x => x.Visibility).HasColumnName("visibility").HasConversion<string>().HasMaxLength(16);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntryEntity>
{
    public void Configure(EntityTypeBuilder<AuditEntryEntity> e)
    {
        e.ToTable("audit_entries");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.At).HasColumnName("at");
        e.Property(x => x.Actor).HasColumnName("actor").HasMaxLength(128);
        e.Property(x => x.ClientAddress).HasColumnName("client_address").HasMaxLength(64);
        e.Property(x => x.Action).HasColumnName("action").HasMaxLength(64);
        e.Property(x => x.Target).HasColumnName("target").HasMaxLength(512);
        e.Property(x => x.Organization).HasColumnName("organization").HasMaxLength(64);
        e.Property(x => x.Detail).HasColumnName("detail").HasMaxLength(1024);
        e.HasIndex(x => new { x.Organization, x.At });
    }
}
