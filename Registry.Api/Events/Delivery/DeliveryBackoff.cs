using Registry.Storage.Events;

namespace Registry.Api.Events.Delivery;

/// <summary>
/// When to try a failed delivery again: exponential (base × 2^(attempts−1), capped) with jitter (a random 50–100 %
/// of that), so receivers coming back are not hit by every replica and webhook at the same instant.
/// </summary>
public static class DeliveryBackoff
{
    public static TimeSpan Delay(EventsOptions options, int attempts)
    {
        var exponent = Math.Min(attempts - 1, 30);
        var ceiling = Math.Min(options.RetryMaxDelay.TotalMilliseconds, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() / 2));
    }
}
