using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Registry.Auth.Permissions;
using Registry.Auth.Data;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// Every caller × action (pull, push, delete, manage) × visibility against the running registry, with tokens
/// from /token (manage: the management API). Allowed cells must succeed; denied ones must answer 401 for the
/// anonymous and 403 for everyone else.
/// </summary>
public abstract class PermissionMatrixTests(PermissionMatrixFixture fixture)
{
    public static TheoryData<string, string, string> Cells()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var caller in PermissionMatrix.Callers)
            foreach (var action in new[] { "pull", "push", "delete", "manage" })
                foreach (var visibility in new[] { "private", "internal", "public" })
                    data.Add(caller, action, visibility);
        return data;
    }

    [Theory, MemberData(nameof(Cells))]
    public async Task CallerGetsExactlyTheDocumentedAccess(string caller, string action, string visibility)
    {
        var auth = fixture.Auth;
        var repository = PermissionMatrixFixture.RepositoryFor(visibility);
        var expected = PermissionMatrix.Expected(caller, Enum.Parse<RepositoryVisibility>(visibility, ignoreCase: true))
            .HasFlag(RegistryActionNames.Parse(action));
        var credentials = fixture.CredentialsOf(caller);

        HttpStatusCode status;
        if (action == "manage")
        {
            using var client = credentials is { } c ? auth.Basic(c.User, c.Secret) : auth.Anonymous();
            using var response = await client.PatchAsJsonAsync($"/api/v1/repositories/{repository}", new { visibility });
            status = response.StatusCode;
            Assert.Equal(expected ? HttpStatusCode.OK : caller == "anonymous" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, status);
            return;
        }

        var token = await auth.TokenAsync(credentials?.User, credentials?.Secret, $"repository:{repository}:{action}");
        using var bearer = auth.Bearer(token);
        using var request = action switch
        {
            "pull" => new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/v1"),
            "push" => PushRequest(repository),
            // A manifest that does not exist: allowed → 404 MANIFEST_UNKNOWN, so nothing the other cells need is deleted.
            _ => new HttpRequestMessage(HttpMethod.Delete, $"/v2/{repository}/manifests/sha256:{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}"),
        };
        using var answer = await bearer.SendAsync(request);
        var allowedStatus = action switch { "pull" => HttpStatusCode.OK, "push" => HttpStatusCode.Created, _ => HttpStatusCode.NotFound };
        var deniedStatus = caller == "anonymous" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
        Assert.True(answer.StatusCode == (expected ? allowedStatus : deniedStatus),
            $"{caller} {action} {repository}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    private static HttpRequestMessage PushRequest(string repository)
    {
        var content = RandomNumberGenerator.GetBytes(64);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        return new HttpRequestMessage(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/?digest={digest}") { Content = new ByteArrayContent(content) };
    }
}

public sealed class SqlitePermissionMatrixTests(SqlitePermissionMatrixFixture fixture)
    : PermissionMatrixTests(fixture), IClassFixture<SqlitePermissionMatrixFixture>;

[Trait("Category", "Integration")]
public sealed class PostgresPermissionMatrixTests(PostgresPermissionMatrixFixture fixture)
    : PermissionMatrixTests(fixture), IClassFixture<PostgresPermissionMatrixFixture>;
