using Registry.Auth.Passwords;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Unit;

/// <summary>The real Argon2id check behind the cache, counted: only recent successes skip it.</summary>
public sealed class VerifiedPasswordCacheTests
{
    private static readonly string Stored = PasswordHasher.Hash("right password");
    private readonly ManualClock clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    private readonly VerifiedPasswordCache cache;
    private int hashed;

    public VerifiedPasswordCacheTests() => cache = new VerifiedPasswordCache(clock, (password, stored) =>
    {
        Interlocked.Increment(ref hashed);
        return PasswordHasher.Verify(password, stored);
    });

    [Fact]
    public void ARightPasswordIsHashedOnceWithinTheLifetime()
    {
        Assert.True(cache.Verify("right password", Stored));
        clock.Now += VerifiedPasswordCache.Lifetime - TimeSpan.FromSeconds(1);
        Assert.True(cache.Verify("right password", Stored));
        Assert.Equal(1, hashed);
    }

    [Fact]
    public void AWrongPasswordIsHashedEveryTimeAndNeverAccepted()
    {
        Assert.True(cache.Verify("right password", Stored));
        Assert.False(cache.Verify("wrong password", Stored));
        Assert.False(cache.Verify("wrong password", Stored));
        Assert.Equal(3, hashed);
    }

    [Fact]
    public void AfterTheLifetimeThePasswordIsHashedAgain()
    {
        Assert.True(cache.Verify("right password", Stored));
        clock.Now += VerifiedPasswordCache.Lifetime;
        Assert.True(cache.Verify("right password", Stored));
        Assert.Equal(2, hashed);
    }

    [Fact]
    public void AChangedPasswordDoesNotMatchTheOldEntry()
    {
        Assert.True(cache.Verify("right password", Stored));
        var changed = PasswordHasher.Hash("new password");
        Assert.False(cache.Verify("right password", changed));
        Assert.True(cache.Verify("new password", changed));
        Assert.Equal(3, hashed);
    }
}
