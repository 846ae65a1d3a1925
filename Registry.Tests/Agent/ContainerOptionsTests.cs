using RuntimeAgent.Containers;
using System.Runtime.Versioning;

namespace Registry.Tests.Agent;

/// <summary>The pure parts of the detached-container commands: restart policies and their backoff, signal names, log lines.</summary>
[SupportedOSPlatform("linux")]
public sealed class ContainerOptionsTests
{
    [Theory]
    [InlineData("no", 1, 0, false)]
    [InlineData("always", 0, 50, true)]
    [InlineData("on-failure", 1, 50, true)]
    [InlineData("on-failure", 0, 0, false)]
    [InlineData("on-failure:3", 2, 2, true)]
    [InlineData("on-failure:3", 2, 3, false)]
    public void RestartPolicyDecidesFromExitCodeAndRestartsSoFar(string policy, int exitCode, int restarts, bool expected) =>
        Assert.Equal(expected, RestartPolicy.Parse(policy).ShouldRestart(exitCode, restarts, stopRequested: false));

    [Fact]
    public void StopRequestedPreventsEveryRestart() =>
        Assert.False(RestartPolicy.Parse("always").ShouldRestart(1, 0, stopRequested: true));

    [Theory]
    [InlineData("sometimes")]
    [InlineData("on-failure:0")]
    [InlineData("on-failure:x")]
    [InlineData("always:3")]
    public void InvalidRestartPoliciesAreRefused(string policy) =>
        Assert.Throws<ContainerStateException>(() => RestartPolicy.Parse(policy));

    [Fact]
    public void BackoffDoublesUpToAMinuteAndStartsOverAfterAStableRun()
    {
        var quick = TimeSpan.FromMilliseconds(10);
        var delay = RestartPolicy.NextDelay(TimeSpan.Zero, quick);
        Assert.Equal(TimeSpan.FromMilliseconds(100), delay);
        Assert.Equal(TimeSpan.FromMilliseconds(200), RestartPolicy.NextDelay(delay, quick));
        Assert.Equal(TimeSpan.FromMinutes(1), RestartPolicy.NextDelay(TimeSpan.FromSeconds(40), quick));
        Assert.Equal(TimeSpan.FromMilliseconds(100), RestartPolicy.NextDelay(TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(11)));
    }

    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("term", 15)]
    [InlineData("KILL", 9)]
    [InlineData("10", 10)]
    [InlineData("SIGRTMIN+3", 37)]
    public void SignalsParseByNameOrNumber(string text, int expected) => Assert.Equal(expected, Signals.Parse(text));

    [Theory]
    [InlineData("SIGNOPE")]
    [InlineData("0")]
    [InlineData("65")]
    public void UnknownSignalsAreRefused(string text) => Assert.Throws<ContainerStateException>(() => Signals.Parse(text));

    [Fact]
    public void LogEntriesRoundTripTheCriFormat()
    {
        var entry = new LogEntry(new DateTimeOffset(2026, 12, 5, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567), "stderr", false, "a b  c");
        var line = entry.Format();
        Assert.Equal("2026-12-05T03:04:05.1234567Z stderr F a b  c\n", line);
        Assert.Equal(entry, LogEntry.Parse(line.TrimEnd('\n')));
        Assert.True(LogEntry.Parse("2026-12-05T03:04:05.1Z stdout P part")!.Partial);
        Assert.Null(LogEntry.Parse("garbage"));
    }
}
