using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registry.Auth.Passwords;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Auth.Accounts;

/// <summary>
/// Creates the configured first administrator at start, or brings an existing one's password and admin flag in
/// line with the configuration (so a lost admin password is recovered by restarting with a new one).
/// </summary>
public static class BootstrapAdmin
{
    /// <summary>Runs once at start, after migrations.</summary>
    public static async Task EnsureAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<AuthOptions>();
        var (name, password) = (options.BootstrapAdmin.User, options.BootstrapAdmin.Password);
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(password)) return;
        if (!NamingRules.IsValidName(name))
            throw new InvalidOperationException($"Registry:Auth:BootstrapAdmin:User '{name}' is not a valid user name (lower-case letters, digits, . _ -)");

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var user = await db.Set<UserEntity>().FirstOrDefaultAsync(u => u.Name == name, cancellationToken);
        if (user is not null && user.IsAdmin && PasswordHasher.Verify(password, user.PasswordHash)) return;
        if (await db.Set<OrganizationEntity>().AnyAsync(o => o.Name == name, cancellationToken))
            throw new InvalidOperationException($"Registry:Auth:BootstrapAdmin:User '{name}' is already an organization's name");
        if (user is null)
        {
            user = new UserEntity { Name = name, PasswordHash = "", SecurityStamp = "", CreatedAt = time.GetUtcNow().UtcDateTime };
            db.Set<UserEntity>().Add(user);
        }
        user.PasswordHash = PasswordHasher.Hash(password);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        user.IsAdmin = true;
        db.Set<AuditEntryEntity>().Add(new AuditEntryEntity
        {
            At = time.GetUtcNow().UtcDateTime, Actor = "(configuration)", Action = "user.bootstrap-admin", Target = name,
        });
        await db.SaveChangesAsync(cancellationToken);
        scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BootstrapAdmin))
            .LogInformation("Bootstrap administrator {User} is ready", name);
    }
}
