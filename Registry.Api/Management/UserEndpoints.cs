using Microsoft.EntityFrameworkCore;
using Registry.Api.Management.Paging;
using Registry.Auth.Accounts;
using Registry.Auth.Data;
using Registry.Auth.Tokens;
using Registry.Storage.Metadata;

namespace Registry.Api.Management;

/// <summary>Users: the caller's own account, and (for administrators) everyone's. The rules are <see cref="UserAccounts"/>'.</summary>
public static class UserEndpoints
{
    public static RouteGroupBuilder MapUsers(this RouteGroupBuilder api)
    {
        // See: docs/management-api.md (this project's own API; /swagger has the schema)
        api.MapGet("/user", Me);
        api.MapPut("/user/password", ChangePassword).Produces(StatusCodes.Status204NoContent);
        api.MapGet("/users", List).PagedBy<UserResponse>("user name");
        api.MapPost("/users", Create);
        api.MapDelete("/users/{name}", Delete);
        api.MapPost("/users/{name}/disable", (string name, ManagementCaller caller, UserAccounts users, CancellationToken ct) =>
            SetDisabledAsync(name, true, caller, users, ct)).Produces<UserResponse>();
        api.MapPost("/users/{name}/enable", (string name, ManagementCaller caller, UserAccounts users, CancellationToken ct) =>
            SetDisabledAsync(name, false, caller, users, ct)).Produces<UserResponse>();
        return api;
    }

    private static IResult Me(ManagementCaller caller) =>
        Results.Ok(new CurrentUserResponse(caller.Name, caller.Access.IsAdmin, caller.Access.Memberships));

    private static async Task<IResult> ChangePassword(ChangePasswordRequest request, ManagementCaller caller, UserAccounts users, CancellationToken ct)
    {
        if (caller.Subject.Kind != CredentialKind.Password)
            return ApiError.Forbidden("log in with your password (not a personal access token) to change it");
        return await users.ChangePasswordAsync(caller.Actor, request.CurrentPassword, request.NewPassword, ct) is { } problem
            ? ApiError.From(problem) : Results.NoContent();
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

    private static async Task<IResult> Create(CreateUserRequest request, ManagementCaller caller, UserAccounts users, CancellationToken ct)
    {
        if (!caller.Access.IsAdmin) return ApiError.Forbidden("only administrators create users");
        var (user, problem) = await users.CreateAsync(caller.Actor, request.Name, request.Password, request.IsAdmin, ct);
        return problem is not null ? ApiError.From(problem)
            : Results.Created($"/api/v1/users/{user!.Name}", new UserResponse(user.Name, user.IsAdmin, user.CreatedAt));
    }

    private static async Task<IResult> Delete(string name, ManagementCaller caller, UserAccounts users, CancellationToken ct)
    {
        if (!caller.Access.IsAdmin) return ApiError.Forbidden("only administrators delete users");
        return await users.DeleteAsync(caller.Actor, name, ct) is { } problem ? ApiError.From(problem) : Results.NoContent();
    }

    private static async Task<IResult> SetDisabledAsync(string name, bool disabled, ManagementCaller caller, UserAccounts users, CancellationToken ct)
    {
        if (!caller.Access.IsAdmin) return ApiError.Forbidden("only administrators disable or enable users");
        var (user, problem) = await users.SetDisabledAsync(caller.Actor, name, disabled, ct);
        return problem is not null ? ApiError.From(problem)
            : Results.Ok(new UserResponse(user!.Name, user.IsAdmin, user.CreatedAt, user.ExternalSource, user.DisabledAt));
    }
}
