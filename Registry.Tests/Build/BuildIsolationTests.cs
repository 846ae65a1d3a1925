namespace Registry.Tests.Build;

/// <summary>A build's RUN steps run under the same default security profile as `run`.</summary>
[Trait("Category", "Integration")]
public sealed class BuildIsolationTests
{
    [Fact]
    public async Task RunStepsGetTheDefaultProfile()
    {
        await using var w = await BuildWorkspace.StartAsync();
        // The status is saved into the image, then read back from it; mount and unshare -U must fail in the step.
        w.Write("Dockerfile", $"""
            FROM {w.BaseImage}
            RUN grep -E '^(CapEff|CapBnd|CapInh|Seccomp|NoNewPrivs):' /proc/self/status > /status.txt \
                && mkdir /m && ! mount -t tmpfs x /m 2>/dev/null && ! mknod /disk b 7 0 2>/dev/null && echo refused > /refused.txt
            """);
        var tag = $"{w.Registry}/isolation/build:1";
        var build = await w.BuildAsync(tag);
        Assert.True(build.ExitCode == 0, build.ToString());
        var status = await w.AgentAsync("run", "--privileged", tag, "cat", "/status.txt", "/refused.txt");
        Assert.True(status.ExitCode == 0, status.ToString());
        var fields = status.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
        Assert.Equal("00000000800405fb", fields["CapEff"]);
        Assert.Equal("00000000800405fb", fields["CapBnd"]);
        Assert.Equal("0000000000000000", fields["CapInh"]);
        Assert.Equal("2", fields["Seccomp"]);
        Assert.EndsWith("refused\n", status.Stdout);
    }
}
