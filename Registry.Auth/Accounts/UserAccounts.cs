using Microsoft.EntityFrameworkCore;
using Registry.Auth.Data;
using Registry.Auth.Passwords;
using Registry.Storage.Metadata;

namespace Registry.Auth.Accounts;

/// <summary>
/// The rules of local user accounts: valid names, password length, one namespace shared with organizations, no
/// administrator removing or disabling themselves. Each change is saved with its audit entry (both or neither).
/// </summary>
public sealed class UserAccounts(RegistryDbContext db, AuditLog audit, TimeProvider time)
{
    /// <summary>Shortest password accepted.</summary>
    public const int MinPasswordLength = 8;

    /// <summary>User and organization names are both namespaces, so neither may reuse the other's.</summary>
    public async Task<bool> NamespaceTakenAsync(string name, CancellationToken cancellationToken) =>
        await db.Set<UserEntity>().AnyAsync(u => u.Name == name, cancellationToken)
        || await db.Set<OrganizationEntity>().AnyAsync(o => o.Name == name, cancellationToken);

    /// <summary>The message saying what is wrong with <paramref name="name"/> as a user or organization name, or null.</summary>
    public static string? NameProblem(string kind, string? name) => NamingRules.IsValidName(name) ? null
        : $"invalid {kind} name '{name}': lower-case letters, digits, . _ -, at most {NamingRules.MaxLength}";

    public async Task<(UserEntity? User, AccountProblem? Problem)> CreateAsync(AccountActor actor, string? name, string? password, bool isAdmin,
        CancellationToken cancellationToken)
    {
        if (NameProblem("user", name) is { } invalid) return (null, AccountProblem.Invalid(invalid));
        if (PasswordProblem(password) is { } weak) return (null, AccountProblem.Invalid(weak));
        if (await NamespaceTakenAsync(name!, cancellationToken)) return (null, AccountProblem.Conflict($"'{name}' is already a user or organization"));
        var user = new UserEntity
        {
            Name = name!, PasswordHash = PasswordHasher.Hash(password!), IsAdmin = isAdmin,
            SecurityStamp = NewStamp(), CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Set<UserEntity>().Add(user);
        audit.Add(actor.Name, actor.ClientAddress, "user.create", user.Name, null, isAdmin ? "admin" : null);
        await db.SaveChangesAsync(cancellationToken);
        return (user, null);
    }

    /// <summary>Changes <paramref name="actor"/>'s own password after checking the current one; ends their refresh tokens.</summary>
    public async Task<AccountProblem?> ChangePasswordAsync(AccountActor actor, string? current, string? next, CancellationToken cancellationToken)
    {
        if (PasswordProblem(next) is { } weak) return AccountProblem.Invalid(weak);
        var user = await db.Set<UserEntity>().FirstOrDefaultAsync(u => u.Name == actor.Name, cancellationToken);
        if (user is null) return AccountProblem.NotFound($"user '{actor.Name}'");
        if (!PasswordHasher.Verify(current ?? "", user.PasswordHash)) return AccountProblem.Denied("the current password is wrong");
        user.PasswordHash = PasswordHasher.Hash(next!);
        user.SecurityStamp = NewStamp();
        audit.Add(actor.Name, actor.ClientAddress, "user.password", user.Name, null);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    public async Task<AccountProblem?> DeleteAsync(AccountActor actor, string name, CancellationToken cancellationToken)
    {
        if (name == actor.Name) return AccountProblem.Conflict("administrators cannot delete themselves");
        var user = await db.Set<UserEntity>().FirstOrDefaultAsync(u => u.Name == name, cancellationToken);
        if (user is null) return AccountProblem.NotFound($"user '{name}'");
        db.Set<UserEntity>().Remove(user);
        audit.Add(actor.Name, actor.ClientAddress, "user.delete", name, null);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// Disabling keeps the account, its memberships and tokens (unlike a delete) but stops every way in: passwords,
    /// personal tokens, refresh tokens and UI sessions are refused from the next request (access tokens already
    /// issued live out their few minutes). A new security stamp makes the refusal stick for refresh tokens.
    /// </summary>
    public async Task<(UserEntity? User, AccountProblem? Problem)> SetDisabledAsync(AccountActor actor, string name, bool disabled,
        CancellationToken cancellationToken)
    {
        if (disabled && name == actor.Name) return (null, AccountProblem.Conflict("administrators cannot disable themselves"));
        var user = await db.Set<UserEntity>().FirstOrDefaultAsync(u => u.Name == name, cancellationToken);
        if (user is null) return (null, AccountProblem.NotFound($"user '{name}'"));
        if (disabled && user.DisabledAt is null)
        {
            user.DisabledAt = time.GetUtcNow().UtcDateTime;
            user.SecurityStamp = NewStamp();
        }
        else if (!disabled)
        {
            user.DisabledAt = null;
        }
        audit.Add(actor.Name, actor.ClientAddress, disabled ? "user.disable" : "user.enable", name, null);
        await db.SaveChangesAsync(cancellationToken);
        return (user, null);
    }

    private static string? PasswordProblem(string? password) => password switch
    {
        null or { Length: < MinPasswordLength } => $"passwords need at least {MinPasswordLength} characters",
        { Length: > PasswordHasher.MaxPasswordLength } => $"passwords may have at most {PasswordHasher.MaxPasswordLength} characters",
        _ => null,
    };

    private static string NewStamp() => Guid.NewGuid().ToString("N");
}
