using Registry.Auth.Passwords;

namespace Registry.Tests.Auth.Unit;

public class PasswordHasherTests
{
    [Fact]
    public void VerifiesTheRightPasswordAndRejectsAWrongOne()
    {
        var hash = PasswordHasher.Hash("correct horse battery staple");
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", hash);
        Assert.True(PasswordHasher.Verify("correct horse battery staple", hash));
        Assert.False(PasswordHasher.Verify("correct horse battery stapl", hash));
    }

    [Fact]
    public void SaltsEveryHash() => Assert.NotEqual(PasswordHasher.Hash("same"), PasswordHasher.Hash("same"));

    [Theory]
    [InlineData("")]
    [InlineData("plaintext")]
    [InlineData("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA")]
    [InlineData("$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$!!!$!!!")]
    public void RejectsMalformedOrAbusiveStoredHashesWithoutThrowing(string stored) =>
        Assert.False(PasswordHasher.Verify("x", stored));

    [Fact]
    public void RefusesOverlongPasswords() =>
        Assert.False(PasswordHasher.Verify(new string('x', PasswordHasher.MaxPasswordLength + 1), PasswordHasher.Decoy));
}

public class SecretTokenTests
{
    [Fact]
    public void CreatesPrefixedHighEntropySecretsThatMatchOnlyTheirHash()
    {
        var secret = SecretToken.Create(SecretToken.RobotPrefix);
        Assert.StartsWith("rrb_", secret);
        Assert.Equal(4 + 43, secret.Length);
        var stored = SecretToken.HashOf(secret);
        Assert.DoesNotContain(secret[4..], stored);
        Assert.True(SecretToken.Matches(secret, stored));
        Assert.False(SecretToken.Matches(secret + "x", stored));
        Assert.NotEqual(secret, SecretToken.Create(SecretToken.RobotPrefix));
    }
}
