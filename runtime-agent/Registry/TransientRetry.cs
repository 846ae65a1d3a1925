using System.Net;

namespace RuntimeAgent.Registry;

/// <summary>
/// Which registry answers are worth sending again, and how long to wait first. A registry behind a load balancer
/// answers 502/503/504 while a replica restarts, 429 when it sheds load, and a 500 can be a lost race on its side;
/// every request the agent makes is safe to repeat (GET/HEAD, a new upload session, a monolithic PUT of
/// content-addressed bytes, a manifest PUT), so each is retried a bounded number of times with growing waits, as
/// docker and containerd do for layer transfers.
/// </summary>
internal static class TransientRetry
{
    /// <summary>Waits before the 2nd, 3rd and 4th attempt; after the last one the answer is the caller's.</summary>
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)];

    // A Retry-After longer than this is not waited for: the registry is down for longer than a pull should hang.
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(10);

    public static int MaxAttempts => Backoff.Length + 1;

    public static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
        or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>How long to wait after failed attempt number <paramref name="attempt"/> (1-based), honouring Retry-After.</summary>
    public static TimeSpan DelayAfter(int attempt, HttpResponseMessage? response)
    {
        var delay = Backoff[Math.Min(attempt, Backoff.Length) - 1];
        var retryAfter = response?.Headers.RetryAfter;
        var asked = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return asked is { } wait && wait > delay ? (wait < MaxRetryAfter ? wait : MaxRetryAfter) : delay;
    }
}
