using System.Net;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>
/// `run -d` as root forks before .NET starts (runtime-agent/Containers/detach-entry.c): the user waits for the C parent,
/// the child does the work. Until the child reports, the parent stands for it: a signal sent to the parent reaches the
/// child, and an error of the child (one that .NET, not the C check, finds) is the command's error and exit code.
/// As root against the published agent, with a fresh store so that the run has to pull.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DetachedForkTests(AgentRegistryFixture registry) : IClassFixture<AgentRegistryFixture>
{
    [Fact]
    public async Task SigtermDuringThePullEndsTheCommandAndTheForkedRunAndLeavesNoContainer()
    {
        var image = await registry.PushAsync(ImageBuilder.FromBusybox().Build());
        var blobAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new CancellationTokenSource();
        await using var front = await FlakyFront.StartAsync(registry.Server.BaseAddress, failures: 0, HttpStatusCode.OK);
        front.Answer = async context =>
        {
            if (!context.Request.Path.Value!.Contains("/blobs/", StringComparison.Ordinal)) return false;
            blobAsked.TrySetResult();
            // Held: the pull cannot finish while the test signals (released when the test ends, at most a minute).
            await Task.Delay(TimeSpan.FromSeconds(60), release.Token).ContinueWith(_ => { });
            context.Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
            return true;
        };
        using var root = new AgentRoot();
        try
        {
            using var cli = await AgentBinary.StartAsync(["--root", root.Path, "run", "-d", "--name", RunImages.ContainerName(),
                image.Replace(registry.Host, front.Host), "sleep", "600"]);
            cli.StandardInput.Close();
            var stdout = cli.StandardOutput.ReadToEndAsync();
            var stderr = cli.StandardError.ReadToEndAsync();
            await blobAsked.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var child = Assert.Single(ChildrenOf(cli.Id)); // the forked run, busy pulling

            AgentBinary.Signal(cli, 15);
            await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            for (var deadline = DateTime.UtcNow.AddSeconds(30); ProcessTree.Alive(child); await Task.Delay(50))
                Assert.True(DateTime.UtcNow < deadline, "the forked run outlived the command: SIGTERM did not reach it");

            // The child's own end, passed on: its pull was cancelled (as a foreground run's is), not a parent killed by the signal.
            var errors = await stderr;
            Assert.True(cli.ExitCode == 1, $"exit {cli.ExitCode}\n{errors}");
            Assert.EndsWith("runtime-agent: The operation was canceled.\n", errors);
            Assert.Equal("", await stdout); // no id
            var containers = Path.Join(root.Path, "containers");
            Assert.True(!Directory.Exists(containers) || !Directory.EnumerateFileSystemEntries(containers).Any(), "a container was left behind");
        }
        finally
        {
            release.Cancel();
        }
    }

    [Fact]
    public async Task ARunThatDotNetRejectsAfterTheForkIsOneErrorLineItsExitCodeAndNoContainer()
    {
        using var root = new AgentRoot();
        // The C check forks for it (--stop-timeout takes a value, whatever it is); the managed parser then rejects the value.
        var result = await root.RunAsync("run", "-d", "--stop-timeout", "soon", $"{registry.Host}/never/pulled:1", "true");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Cannot parse argument 'soon' for option '--stop-timeout'", line);
        Assert.DoesNotMatch("(?m)^[0-9a-f]{12}$", result.Stdout); // the usage, as without a fork; no id
        Assert.False(Directory.Exists(Path.Join(root.Path, "containers")) && Directory.EnumerateFileSystemEntries(Path.Join(root.Path, "containers")).Any());
    }

    private static int[] ChildrenOf(int pid) =>
        [.. File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
}
