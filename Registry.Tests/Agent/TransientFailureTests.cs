using System.Diagnostics;
using System.Net;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>
/// The agent against a registry that answers some requests with a transient failure (a load balancer during a
/// restart, a registry shedding load): every request is retried a bounded number of times with growing waits.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TransientFailureTests(AgentRegistryFixture registry) : IClassFixture<AgentRegistryFixture>
{
    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task APullWhoseEveryRequestFailsOnceStillSucceeds(HttpStatusCode status)
    {
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("flaky.txt", Guid.NewGuid().ToString())).Build();
        var reference = await registry.PushAsync(image);
        await using var front = await FlakyFront.StartAsync(registry.Server.BaseAddress, failures: 1, status);
        using var root = new AgentRoot();

        var pull = await root.RunOkAsync("pull", reference.Replace(registry.Host, front.Host));

        Assert.Contains($"Digest: {image.Digest}", pull.Stdout);
        var repository = reference[(registry.Host.Length + 1)..reference.LastIndexOf(':')];
        foreach (var layer in image.Layers)
            Assert.Equal(2, front.AttemptsOf("GET", $"/v2/{repository}/blobs/{layer.Digest}"));
    }

    [Fact]
    public async Task ARegistryThatKeepsFailingIsGivenUpOnAfterFourAttempts()
    {
        var reference = await registry.PushAsync(ImageBuilder.FromBusybox().Build());
        await using var front = await FlakyFront.StartAsync(registry.Server.BaseAddress, failures: int.MaxValue, HttpStatusCode.ServiceUnavailable);
        using var root = new AgentRoot();
        var clock = Stopwatch.StartNew();

        var pull = await root.RunAsync("pull", reference.Replace(registry.Host, front.Host));

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains("503", pull.Stderr);
        Assert.Single(pull.Stderr.Trim().Split('\n'));
        Assert.All(front.Attempts.Values, n => Assert.Equal(4, n));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60)); // 0.25 + 1 + 4 s of backoff
    }

    [Fact]
    public async Task ABuildPushWhoseEveryUploadRequestFailsOnceStillStoresTheImage()
    {
        var reference = await registry.PushAsync(ImageBuilder.FromBusybox().Build());
        await using var front = await FlakyFront.StartAsync(registry.Server.BaseAddress, failures: 1, HttpStatusCode.InternalServerError);
        using var root = new AgentRoot();
        using var context = new Infrastructure.TempDirectory();
        File.WriteAllText(Path.Combine(context.Path, "Dockerfile"), $"FROM {reference.Replace(registry.Host, front.Host)}\nCOPY pushed.txt /pushed.txt\n");
        File.WriteAllText(Path.Combine(context.Path, "pushed.txt"), Guid.NewGuid().ToString());
        var repository = $"agent/pushed-{Guid.NewGuid():N}";

        await root.RunOkAsync("build", "-t", $"{front.Host}/{repository}:1", "--push", context.Path);

        // A new repository: every blob went HEAD (404), POST, PUT, each failed once and was sent again.
        var puts = front.Attempts.Where(a => a.Key.StartsWith($"PUT /v2/{repository}/blobs/uploads/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(puts);
        Assert.All(puts, a => Assert.Equal(2, a.Value));
        Assert.Equal(2, front.AttemptsOf("PUT", $"/v2/{repository}/manifests/1"));
        using var stored = await registry.Server.Client.GetAsync($"/v2/{repository}/manifests/1");
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
    }
}
