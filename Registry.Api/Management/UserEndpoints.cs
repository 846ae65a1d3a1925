using Microsoft.EntityFrameworkCore;
using Registry.Api.Management.Paging;
using Registry.Auth.Accounts;
using Registry.Auth.Passwords;
using Registry.Auth.Tokens;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Api.Management;

/// <summary>Users: the caller's own account, and (for administrators) everyone's.</summary>
public static class UserEndpoints
{
    /// <summary>Shortest password accepted.</summary>
    public const int MinPasswordLength = 8;

    public static RouteGroupBuilder MapUsers(this RouteGroupBuilder api)
    {
        // See: docs/management-api.md (this project's own API; /swagger has the schema)
        api.MapGet("/user", Me);
        api.MapPut("/user/password", ChangePassword).Produces(StatusCodes.Status204NoContent);
        api.MapGet("/users", List).PagedBy<UserResponse>("user name");
        api.MapPost("/users", Create);
        api.MapDelete("/users/{name}", Delete);
        api.MapPost("/users/{name}/disable", (string name, ManagementCaller caller, RegistryDbContext db, TimeProvider time, CancellationToken ct) =>
            SetDisabledAsync(name, true, caller, db, time, ct)).Produces<UserResponse>();
        api.MapPost("/users/{name}/enable", (string name, ManagementCaller caller, RegistryDbContext db, TimeProvider time, CancellationToken ct) =>
            SetDisabledAsync(name, false, caller, db, time, ct)).Produces<UserResponse>();
        return api;
    }

    private static IResult Me(ManagementCaller caller) =>
        Results.Ok(new CurrentUserResponse(caller.Name, caller.Access.IsAdmin, caller.Access.Memberships));

    private static async Task<IResult> ChangePassword(ChangePasswordRequest request, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        if (caller.Subject.Kind != CredentialKind.Password)
            return ApiError.Forbidden("log in with your password (not a personal access token) to change it");
        if (PasswordProblem(request.NewPassword) is { } problem) return ApiError.BadRequest(problem);
        var user = await db.Set<UserEntity>().FirstAsync(u => u.Name == caller.Name, ct);
        if (!PasswordHasher.Verify(request.CurrentPassword ?? "", user.PasswordHash)) return ApiError.Forbidden("the current password is wrong");
        user.PasswordHash = PasswordHasher.Hash(request.NewPassword);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        caller.Record("user.password", user.Name, null);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    private static async Task<IResult> List(ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterName(NamingRules.IsValidName, out var after) is { } bad) return bad;
        if (!caller.Access.IsAdmin) return ApiError.Forbidden("only administrators list users");
        var users = await db.Set<UserEntity>().AsNoTracking().Where(u => after == null || string.Compare(u.Name, after) > 0)
            .OrderBy(u => u.Name).Take(page.FetchCount)
            .Select(u => new UserResponse(u.Name, u.IsAdmin, u.CreatedAt, u.ExternalSource, u.DisabledAt)).ToListAsync(ct);
        return Results.Ok(page.Trim(users, u => u.Name));
    }

    private static async Task<IResult> Create(CreateUserRequest request, ManagementCaller caller, RegistryDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!caller.Access.IsAdmin) return ApiError.Forbidden("only administrators create users");
        if (!NamingRules.IsValidName(request.Name)) return ApiError.BadRequest($"invalid user name '{request.Name}': lower-case letters, digits, . _ -, at most {NamingRules.MaxLength}");
        if (PasswordProblem(request.Password) is { } problem) return ApiError.BadRequest(problem);
        if (await NamespaceTakenAsync(db, request.Name, ct)) return ApiError.Conflict($"'{request.Name}' is already a user or organization");
        var user = new UserEntity
        {
            Name = request.Name, PasswordHash = PasswordHasher.Hash(request.Password), IsAdmin = request.IsAdmin,
            SecurityStamp = Guid.NewGuid().ToString("N"), CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Set<UserEntity>().Add(user);
        caller.Record("user.create", user.Name, null, user.IsAdmin ? "admin" : null);
        await db.SaveChangesAsync(ct);
        return Results.Created($"/api/v1/users/{user.Name}", new UserResponse(user.Name, user.IsAdmin, user.CreatedAt));
    }

    private static async Task<IResult> Delete(string name, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        if (!caller.Access.IsAdmin) return ApiError.Forbidden("only administrators delete users");
        if (name == caller.Name) return ApiError.Conflict("administrators cannot delete themselves");
        var user = await db.Set<UserEntity>().FirstOrDefaultAsync(u => u.Name == name, ct);
        if (user is null) return ApiError.NotFound($"user '{name}'");
        db.Set<UserEntity>().Remove(user);
        caller.Record("user.delete", name, null);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    /// <summary>
    /// Disabling keeps the account, its memberships and tokens (unlike a delete) but stops every way in: passwords,
    /// personal tokens, refresh tokens and UI sessions are refused from the next request (access tokens already
    /// issued live out their few minutes). A new security stamp makes the refusal stick for refresh tokens.
    /// </summary>
    private static async Task<IResult> SetDisabledAsync(string name, bool disabled, ManagementCaller caller, RegistryDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        if (!caller.Access.IsAdmin) return ApiError.Forbidden("only administrators disable or enable users");
        if (disabled && name == caller.Name) return ApiError.Conflict("administrators cannot disable themselves");
        var user = await db.Set<UserEntity>().FirstOrDefaultAsync(u => u.Name == name, ct);
        if (user is null) return ApiError.NotFound($"user '{name}'");
        if (disabled && user.DisabledAt is null)
        {
            user.DisabledAt = time.GetUtcNow().UtcDateTime;
            user.SecurityStamp = Guid.NewGuid().ToString("N");
        }
        else if (!disabled)
        {
            user.DisabledAt = null;
        }
        caller.Record(disabled ? "user.disable" : "user.enable", name, null);
        await db.SaveChangesAsync(ct);
        return Results.Ok(new UserResponse(user.Name, user.IsAdmin, user.CreatedAt, user.ExternalSource, user.DisabledAt));
    }

    /// <summary>User and organization names are both namespaces, so neither may reuse the other's.</summary>
    public static async Task<bool> NamespaceTakenAsync(RegistryDbContext db, string name, CancellationToken ct) =>
        await db.Set<UserEntity>().AnyAsync(u => u.Name == name, ct) || await db.Set<OrganizationEntity>().AnyAsync(o => o.Name == name, ct);

    private static string? PasswordProblem(string? password) => password switch
    {
        null or { Length: < MinPasswordLength } => $"passwords need at least {MinPasswordLength} characters",
        { Length: > PasswordHasher.MaxPasswordLength } => $"passwords may have at most {PasswordHasher.MaxPasswordLength} characters",
        _ => null,
    };
}
