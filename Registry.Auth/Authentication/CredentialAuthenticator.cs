using Microsoft.EntityFrameworkCore;
using Registry.Auth.Accounts;
using Registry.Auth.External;
using Registry.Auth.Passwords;
using Registry.Auth.Permissions;
using Registry.Auth.Tokens;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Auth.Authentication;

/// <summary>The outcome of checking a user name and secret.</summary>
public enum LoginOutcome { Success, Invalid, RateLimited }

/// <summary>A login attempt's result; <see cref="Subject"/> and <see cref="Access"/> are set on success.</summary>
public sealed record LoginResult(LoginOutcome Outcome, TokenSubject? Subject = null, AccessSubject? Access = null)
{
    public static readonly LoginResult Invalid = new(LoginOutcome.Invalid);
    public static readonly LoginResult RateLimited = new(LoginOutcome.RateLimited);
}

/// <summary>
/// Checks Basic-style credentials: a user's password (Argon2id), a user's personal access token
/// (<c>rpat_…</c>, in place of the password), or a robot's secret (login <c>org+robot</c>, <c>rrb_…</c>).
/// Failed attempts count against the user, the client address and the pair (<see cref="LoginRateLimiter"/>): past
/// the address limits attempts are refused, past the user's own limit they are slowed, before any secret is checked. Secrets are compared in constant time and never logged.
/// </summary>
/// With LDAP configured, a name with no local account (or an LDAP account) is checked by binding to the directory.
/// A disabled account logs in with nothing.
public sealed class CredentialAuthenticator(RegistryDbContext db, SubjectResolver subjects, LoginRateLimiter limiter,
    LdapDirectory directory, ExternalAccounts externalAccounts, AuthOptions options, VerifiedPasswordCache passwords)
{
    /// <summary>Checks <paramref name="login"/> and <paramref name="secret"/> sent from <paramref name="clientAddress"/>.</summary>
    public async Task<LoginResult> LoginAsync(string login, string secret, string? clientAddress, CancellationToken cancellationToken)
    {
        if (limiter.IsBlocked(login, clientAddress)) return LoginResult.RateLimited;
        if (!await limiter.WaitForTurnAsync(login, cancellationToken)) return LoginResult.RateLimited;
        var result = await CheckAsync(login, secret, cancellationToken);
        if (result.Outcome != LoginOutcome.Success) limiter.RecordFailure(login, clientAddress);
        return result;
    }

    private async Task<LoginResult> CheckAsync(string login, string secret, CancellationToken cancellationToken)
    {
        if (login.Length > 2 * NamingRules.MaxLength + 1 || secret.Length > PasswordHasher.MaxPasswordLength) return LoginResult.Invalid;
        if (NamingRules.TrySplitRobotLogin(login, out var org, out var robotName)) return await RobotAsync(org, robotName, secret, cancellationToken);

        var user = await db.Set<UserEntity>().AsNoTracking().FirstOrDefaultAsync(u => u.Name == login, cancellationToken);
        if (secret.StartsWith(SecretToken.PersonalTokenPrefix, StringComparison.Ordinal))
            return await PersonalTokenAsync(user, secret, cancellationToken);

        if (directory.Enabled && (user is null || user.ExternalSource == ExternalSources.Ldap))
            return await DirectoryAsync(login, secret, cancellationToken);

        // Verify against a decoy when the user is unknown so both failures take the same time (a wrong password
        // always pays for the full hash; only a password that matched recently is answered from the cache).
        if (user is null)
        {
            PasswordHasher.Verify(secret, PasswordHasher.Decoy);
            return LoginResult.Invalid;
        }
        if (!passwords.Verify(secret, user.PasswordHash) || user.DisabledAt is not null) return LoginResult.Invalid;
        var subject = new TokenSubject(CredentialKind.Password, user!.Name, user.Id, user.SecurityStamp);
        return new LoginResult(LoginOutcome.Success, subject, await subjects.LoadUserAsync(user, RegistryActions.All, cancellationToken));
    }

    private async Task<LoginResult> DirectoryAsync(string login, string secret, CancellationToken cancellationToken)
    {
        var found = await directory.AuthenticateAsync(login, secret, cancellationToken);
        if (found is null) return LoginResult.Invalid;
        var user = await externalAccounts.SignInAsync(login, ExternalSources.Ldap, found.Groups, options.Ldap.AdminGroup, cancellationToken);
        if (user is null || user.DisabledAt is not null) return LoginResult.Invalid;
        var subject = new TokenSubject(CredentialKind.Password, user.Name, user.Id, user.SecurityStamp);
        return new LoginResult(LoginOutcome.Success, subject, await subjects.LoadUserAsync(user, RegistryActions.All, cancellationToken));
    }

    private async Task<LoginResult> PersonalTokenAsync(UserEntity? user, string secret, CancellationToken cancellationToken)
    {
        if (user is null) return LoginResult.Invalid;
        var hash = SecretToken.HashOf(secret);
        var token = await db.Set<PersonalAccessTokenEntity>().AsNoTracking()
            .FirstOrDefaultAsync(t => t.SecretHash == hash && t.UserId == user.Id, cancellationToken);
        if (token is null || !SecretToken.Matches(secret, token.SecretHash)) return LoginResult.Invalid;
        var subject = new TokenSubject(CredentialKind.PersonalToken, user.Name, token.Id);
        // The resolver re-checks revocation and expiry; a dead token is an invalid login.
        var access = await subjects.ResolveAsync(subject, cancellationToken);
        return access is null ? LoginResult.Invalid : new LoginResult(LoginOutcome.Success, subject, access);
    }

    private async Task<LoginResult> RobotAsync(string org, string robotName, string secret, CancellationToken cancellationToken)
    {
        var robot = await (
            from r in db.Set<RobotEntity>().AsNoTracking()
            join o in db.Set<OrganizationEntity>() on r.OrganizationId equals o.Id
            where o.Name == org && r.Name == robotName && r.RevokedAt == null
            select r).FirstOrDefaultAsync(cancellationToken);
        // Hash comparison even for unknown robots keeps the timing flat.
        var valid = SecretToken.Matches(secret, robot?.SecretHash ?? new string('0', 64)) && robot is not null;
        if (!valid) return LoginResult.Invalid;
        var subject = new TokenSubject(CredentialKind.Robot, NamingRules.RobotLogin(org, robotName), robot!.Id);
        return new LoginResult(LoginOutcome.Success, subject, await subjects.LoadRobotAsync(robot, cancellationToken));
    }
}
