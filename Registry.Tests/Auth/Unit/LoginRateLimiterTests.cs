using Registry.Auth;
using Registry.Auth.Authentication;

namespace Registry.Tests.Auth.Unit;

public class LoginRateLimiterTests
{
    private readonly ManualClock clock = new(DateTimeOffset.UtcNow);
    private readonly AuthOptions options = new() { RateLimit = { MaxFailuresPerUser = 3, MaxFailuresPerAddress = 5, Window = TimeSpan.FromMinutes(5) } };

    [Fact]
    public void BlocksAUserAfterTheLimitFromAnyAddressUntilTheWindowEnds()
    {
        var limiter = new LoginRateLimiter(options, clock);
        for (var i = 0; i < 3; i++) limiter.RecordFailure("alice", $"10.0.0.{i}");
        Assert.True(limiter.IsBlocked("Alice", "10.0.0.99"));
        Assert.False(limiter.IsBlocked("bob", "10.0.0.99"));
        clock.Now += TimeSpan.FromMinutes(5);
        Assert.False(limiter.IsBlocked("alice", "10.0.0.99"));
    }

    [Fact]
    public void BlocksAnAddressThatGuessesManyUsers()
    {
        var limiter = new LoginRateLimiter(options, clock);
        for (var i = 0; i < 5; i++) limiter.RecordFailure($"user{i}", "10.0.0.1");
        Assert.True(limiter.IsBlocked("someone-new", "10.0.0.1"));
        Assert.False(limiter.IsBlocked("someone-new", "10.0.0.2"));
    }
}
