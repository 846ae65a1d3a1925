using Registry.Tests.Infrastructure;
using Registry.Oci;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Registry.Auth;
using Registry.Auth.Tokens;

namespace Registry.Tests.Auth.Unit;

public sealed class RegistryTokenServiceTests : IDisposable
{
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("auth-keys-").FullName;
    private readonly ManualClock clock = new(DateTimeOffset.UtcNow);
    private readonly AuthOptions options = new();
    private static readonly TokenSubject Alice = new(CredentialKind.Password, "alice", 7);

    public void Dispose() => Directory.Delete(dataDirectory, recursive: true);

    private RegistryTokenService Service(SigningKeyStore? keys = null) =>
        new(keys ?? SigningKeyStore.Load(options, dataDirectory), options, clock);

    [Fact]
    public async Task IssuedAccessTokenValidatesWithItsSubjectAndAccess()
    {
        var service = Service();
        var issued = service.IssueAccess(Alice, [ResourceScope.Parse("repository:acme/app:pull,push"), ResourceScope.Catalog]);
        Assert.Equal(300, issued.ExpiresIn);
        var token = await service.ValidateAccessAsync(issued.Token);
        Assert.NotNull(token);
        Assert.Equal(Alice, token.Subject);
        Assert.Equal(["repository:acme/app:pull,push", "registry:catalog:*"], token.Access.Select(a => a.ToString()));
    }

    [Fact]
    public async Task TokenNamesItsKeyAndIsSignedWithES256()
    {
        var keys = SigningKeyStore.Load(options, dataDirectory);
        var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(Service(keys).IssueAccess(Alice, []).Token);
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal(keys.Signing.Key.KeyId, jwt.Kid);
        Assert.False(string.IsNullOrEmpty(jwt.Kid));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task ExpiredTokenIsRejected()
    {
        var service = Service();
        var issued = service.IssueAccess(Alice, []);
        clock.Now += options.TokenLifetime + TimeSpan.FromMinutes(1);
        Assert.Null(await service.ValidateAccessAsync(issued.Token));
    }

    [Fact]
    public async Task TamperedPayloadIsRejected()
    {
        var service = Service();
        var parts = service.IssueAccess(Alice, [ResourceScope.Parse("repository:acme/app:pull")]).Token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("pull", "push");
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        Assert.Null(await service.ValidateAccessAsync(forged));
    }

    [Fact]
    public async Task TokenSignedByAnotherKeyIsRejected()
    {
        var otherDirectory = Directory.CreateTempSubdirectory("auth-keys-other-").FullName;
        try
        {
            var foreign = Service(SigningKeyStore.Load(options, otherDirectory)).IssueAccess(Alice, []);
            Assert.Null(await Service().ValidateAccessAsync(foreign.Token));
        }
        finally { Directory.Delete(otherDirectory, true); }
    }

    [Fact]
    public async Task RefreshTokenIsNotAnAccessTokenAndViceVersa()
    {
        var service = Service();
        var refresh = service.IssueRefresh(Alice with { Stamp = "s1" });
        Assert.Null(await service.ValidateAccessAsync(refresh.Token));
        Assert.Equal("s1", (await service.ValidateRefreshAsync(refresh.Token))!.Subject.Stamp);
        Assert.Null(await service.ValidateRefreshAsync(service.IssueAccess(Alice, []).Token));
    }

    [Fact]
    public async Task RotatedKeyStillValidatesTokensItSignedWhenListedAsPrevious()
    {
        var oldKeys = SigningKeyStore.Load(options, dataDirectory);
        var oldToken = Service(oldKeys).IssueAccess(Alice, []).Token;
        var newKeyPath = Path.Combine(dataDirectory, "new.pem");
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256)) File.WriteAllText(newKeyPath, ec.ExportPkcs8PrivateKeyPem());
        options.SigningKeyPath = newKeyPath;
        Assert.Null(await Service().ValidateAccessAsync(oldToken));
        options.PreviousSigningKeyPaths = [oldKeys.SigningKeyPath];
        var rotated = Service();
        Assert.NotNull(await rotated.ValidateAccessAsync(oldToken));
        Assert.NotEqual(oldKeys.Signing.Key.KeyId, rotated.IssueAccess(Alice, []).Token is var t
            ? new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(t).Kid : null);
    }

    [Fact]
    public void GeneratedKeyIsReusedAcrossStartsAndReadableOnlyByItsOwner()
    {
        var first = SigningKeyStore.Load(options, dataDirectory);
        var second = SigningKeyStore.Load(options, dataDirectory);
        Assert.Equal(first.Signing.Key.KeyId, second.Signing.Key.KeyId);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.SigningKeyPath));
    }

    [Fact]
    public void RsaKeysSignWithRS256()
    {
        var path = Path.Combine(dataDirectory, "rsa.pem");
        using (var rsa = RSA.Create(2048)) File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
        options.SigningKeyPath = path;
        Assert.Equal("RS256", SigningKeyStore.Load(options, dataDirectory).Signing.Algorithm);
    }

    [Fact]
    public void GarbageKeyFileFailsAtStartWithItsPath()
    {
        var path = Path.Combine(dataDirectory, "garbage.pem");
        File.WriteAllText(path, "not a key");
        options.SigningKeyPath = path;
        var error = Assert.Throws<InvalidOperationException>(() => SigningKeyStore.Load(options, dataDirectory));
        Assert.Contains(path, error.Message);
    }
}
