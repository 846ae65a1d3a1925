using Registry.Tests.Infrastructure;
using Registry.Auth;
using Registry.Auth.Authentication;

namespace Registry.Tests.Auth.Unit;

public class LoginRateLimiterTests
{
    private readonly ManualClock clock = new(DateTimeOffset.UtcNow);
    private readonly AuthOptions options = new()
    {
        RateLimit = { MaxFailuresPerUserAndAddress = 3, MaxFailuresPerAddress = 5, MaxFailuresPerUser = 4, UserDelay = TimeSpan.FromSeconds(10), Window = TimeSpan.FromMinutes(5) },
    };

    [Fact]
    public void BlocksAUserOnlyFromTheAddressThatFailedUntilTheWindowEnds()
    {
        var limiter = new LoginRateLimiter(options, clock);
        for (var i = 0; i < 3; i++) limiter.RecordFailure("alice", "10.0.0.1");
        Assert.True(limiter.IsBlocked("Alice", "10.0.0.1"));
        Assert.False(limiter.IsBlocked("alice", "10.0.0.99"));
        Assert.False(limiter.IsBlocked("bob", "10.0.0.1"));
        clock.Now += TimeSpan.FromMinutes(5);
        Assert.False(limiter.IsBlocked("alice", "10.0.0.1"));
    }

    [Fact]
    public void BlocksAnAddressThatGuessesManyUsers()
    {
        var limiter = new LoginRateLimiter(options, clock);
        for (var i = 0; i < 5; i++) limiter.RecordFailure($"user{i}", "10.0.0.1");
        Assert.True(limiter.IsBlocked("someone-new", "10.0.0.1"));
        Assert.False(limiter.IsBlocked("someone-new", "10.0.0.2"));
    }

    [Fact]
    public async Task PastTheUserLimitAttemptsFromEveryAddressQueueAndAreNeverBlocked()
    {
        var limiter = new LoginRateLimiter(options, clock);
        Assert.True(await limiter.WaitForTurnAsync("alice", CancellationToken.None)); // below the limit: no wait
        for (var i = 0; i < 4; i++) limiter.RecordFailure("alice", $"10.0.0.{i}");
        Assert.False(limiter.IsBlocked("alice", "10.0.0.99"));

        using var cancel = new CancellationTokenSource();
        // Three 10 s turns fill the 30 s queue; a fourth attempt would wait longer and is refused instead.
        var queued = Enumerable.Range(0, 3).Select(_ => limiter.WaitForTurnAsync("alice", cancel.Token)).ToList();
        Assert.All(queued, turn => Assert.False(turn.IsCompleted));
        Assert.False(await limiter.WaitForTurnAsync("alice", CancellationToken.None));
        Assert.True(await limiter.WaitForTurnAsync("bob", CancellationToken.None));
        await cancel.CancelAsync();
        foreach (var turn in queued) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => turn);
    }
}
