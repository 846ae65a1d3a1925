using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Registry.Storage.Configuration;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.ScaleOut;

/// <summary>
/// Two replicas with auth on, sharing one PostgreSQL database and one signing key file (decision 003): a token issued
/// by one is accepted by the other, and a key rotation written into the file is seen by both without a restart.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SharedSigningKeyTests : IAsyncLifetime
{
    private const string Scope = "repository:shared/app:pull,push";
    private readonly string keyDirectory = Directory.CreateTempSubdirectory("registry-shared-key-").FullName;
    private AuthTestServer first = null!, second = null!;

    private string KeyPath => Path.Combine(keyDirectory, "token-signing-key.pem");

    public async Task InitializeAsync()
    {
        first = await AuthTestServer.StartAsync(TestDatabase.Postgres, new Dictionary<string, string?> { ["Registry:Auth:SigningKeyPath"] = KeyPath });
        second = await AuthTestServer.StartAsync(TestDatabase.Postgres, new Dictionary<string, string?>
        {
            ["Registry:Auth:SigningKeyPath"] = KeyPath,
            ["Registry:Database:ConnectionString"] = first.Server.Services.GetRequiredService<RegistryStorageOptions>().Database.ConnectionString,
        });
    }

    public async Task DisposeAsync()
    {
        await second.DisposeAsync();
        await first.DisposeAsync();
        Directory.Delete(keyDirectory, recursive: true);
    }

    [Fact]
    public async Task TokenIssuedByOneReplicaIsAcceptedByTheOther()
    {
        var fromFirst = await first.TokenAsync(AuthTestServer.AdminUser, AuthTestServer.AdminPassword, Scope);
        using var onSecond = second.Bearer(fromFirst);
        var (manifest, _) = await onSecond.PushImageAsync("shared/app", "v1", Encoding.UTF8.GetBytes("pushed through the second replica"));

        var fromSecond = await second.TokenAsync(AuthTestServer.AdminUser, AuthTestServer.AdminPassword, Scope);
        using var onFirst = first.Bearer(fromSecond);
        using var pulled = await onFirst.GetAsync("/v2/shared/app/manifests/v1");
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        Assert.Equal(manifest, await pulled.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task RotationWrittenIntoTheSharedFileIsSeenByBothReplicas()
    {
        var oldToken = await first.TokenAsync(AuthTestServer.AdminUser, AuthTestServer.AdminPassword, Scope);
        var oldKey = await File.ReadAllTextAsync(KeyPath);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var newKey = ec.ExportPkcs8PrivateKeyPem();

        // Step 1: the new key signs, the old one still verifies.
        await ReplaceKeyFileAsync(newKey + "\n" + oldKey);
        var newToken = await TokenSignedByAnotherKeyAsync(first, oldToken);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, newToken)); // at once: the unknown kid makes it read the file
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, oldToken));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(first, oldToken));
        Assert.Equal(Kid(newToken), Kid(await TokenSignedByAnotherKeyAsync(second, oldToken)));

        // Step 2: the old key is retired; tokens it signed stop working on both replicas.
        await ReplaceKeyFileAsync(newKey);
        await WaitUntilAsync(async () => await StatusAsync(first, oldToken) == HttpStatusCode.Unauthorized
                                         && await StatusAsync(second, oldToken) == HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(first, newToken));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, newToken));
    }

    [Fact]
    public async Task PostgresWithAuthAndNoSigningKeyPathRefusesToStart()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            AuthTestServer.StartAsync(TestDatabase.Postgres, new Dictionary<string, string?> { ["Registry:Auth:SigningKeyPath"] = "" }));
        Assert.Contains("Registry__Auth__SigningKeyPath", error.Message);
    }

    private async Task ReplaceKeyFileAsync(string pem)
    {
        var temp = KeyPath + ".new";
        await File.WriteAllTextAsync(temp, pem);
        File.Move(temp, KeyPath, overwrite: true);
    }

    private static async Task<string> TokenSignedByAnotherKeyAsync(AuthTestServer replica, string before)
    {
        string token = before;
        await WaitUntilAsync(async () =>
        {
            token = await replica.TokenAsync(AuthTestServer.AdminUser, AuthTestServer.AdminPassword, Scope);
            return Kid(token) != Kid(before);
        });
        return token;
    }

    private static async Task<HttpStatusCode> StatusAsync(AuthTestServer replica, string token)
    {
        using var client = replica.Bearer(token);
        using var response = await client.GetAsync("/v2/shared/app/tags/list");
        return response.StatusCode == HttpStatusCode.NotFound ? HttpStatusCode.OK : response.StatusCode; // authorized, repository may be empty
    }

    /// <summary>Polls for up to three reload intervals of the key file.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + 3 * Registry.Auth.Tokens.SigningKeyStore.ReloadInterval;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the replicas did not pick up the key file in time");
            await Task.Delay(200);
        }
    }

    private static string Kid(string token) => new JsonWebToken(token).Kid;
}
