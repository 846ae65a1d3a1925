namespace Registry.Tests.Infrastructure;

/// <summary>A clock the test moves by hand, so expiry and rate-limit windows are tested without waiting.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
}
