using Microsoft.EntityFrameworkCore;
using Registry.Api.Management.Paging;
using Registry.Auth.Passwords;
using Registry.Auth.Permissions;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Api.Management;

/// <summary>The caller's personal access tokens: used as the password (Basic or the password grant), optionally
/// limited to some actions and an expiry.</summary>
public static class PersonalTokenEndpoints
{
    public static RouteGroupBuilder MapPersonalTokens(this RouteGroupBuilder api)
    {
        // See: docs/management-api.md (this project's own API; /swagger has the schema)
        api.MapGet("/user/tokens", List).PagedBy<TokenInfoResponse>("token id");
        api.MapPost("/user/tokens", Create);
        api.MapDelete("/user/tokens/{id:long}", Revoke);
        return api;
    }

    private static async Task<IResult> List(ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterId(out var after) is { } bad) return bad;
        var tokens = page.Trim(await (from t in db.Set<PersonalAccessTokenEntity>()
                                      join u in db.Set<UserEntity>() on t.UserId equals u.Id
                                      where u.Name == caller.Name && (after == null || t.Id > after)
                                      orderby t.Id
                                      select t).AsNoTracking().Take(page.FetchCount).ToListAsync(ct), t => t.Id);
        return Results.Ok(tokens.Select(t => new TokenInfoResponse(t.Id, t.Name, t.Actions.Split(','), t.CreatedAt, t.ExpiresAt, t.RevokedAt)));
    }

    internal static async Task<IResult> Create(CreateTokenRequest request, ManagementCaller caller, RegistryDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 64) return ApiError.BadRequest("a token needs a name of at most 64 characters");
        var words = request.Actions is { Count: > 0 } ? request.Actions : RegistryActionNames.Names(RegistryActions.All);
        if (!RegistryActionNames.TryParseList(string.Join(',', words), out var actions)) return ApiError.BadRequest("actions must be among pull, push, delete, manage");
        var now = time.GetUtcNow().UtcDateTime;
        if (request.ExpiresAt is { } expires && expires.ToUniversalTime() <= now) return ApiError.BadRequest("expiresAt must be in the future");
        // A token cannot be minted with more than the credential creating it (a pull-only token cannot mint a push one).
        actions &= caller.Access.Ceiling;
        var user = await db.Set<UserEntity>().FirstAsync(u => u.Name == caller.Name, ct);
        var secret = SecretToken.Create(SecretToken.PersonalTokenPrefix);
        var token = new PersonalAccessTokenEntity
        {
            UserId = user.Id, Name = request.Name, SecretHash = SecretToken.HashOf(secret),
            Actions = string.Join(',', RegistryActionNames.Names(actions)), CreatedAt = now, ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
        };
        db.Set<PersonalAccessTokenEntity>().Add(token);
        caller.Record("token.create", $"{caller.Name}/{request.Name}", null, token.Actions);
        await db.SaveChangesAsync(ct);
        return Results.Created($"/api/v1/user/tokens/{token.Id}",
            new CreatedTokenResponse(token.Id, token.Name, secret, token.Actions.Split(','), token.ExpiresAt));
    }

    private static async Task<IResult> Revoke(long id, ManagementCaller caller, RegistryDbContext db, TimeProvider time, CancellationToken ct)
    {
        var token = await (from t in db.Set<PersonalAccessTokenEntity>()
                           join u in db.Set<UserEntity>() on t.UserId equals u.Id
                           where t.Id == id && u.Name == caller.Name && t.RevokedAt == null
                           select t).FirstOrDefaultAsync(ct);
        if (token is null) return ApiError.NotFound($"active token {id}");
        token.RevokedAt = time.GetUtcNow().UtcDateTime;
        caller.Record("token.revoke", $"{caller.Name}/{token.Name}", null);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }
}
