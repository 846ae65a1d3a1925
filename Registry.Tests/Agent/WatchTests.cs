using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>`runtime-agent watch` follows the registry's event feed, pulls new matching tags and resumes from its cursor.</summary>
[Trait("Category", "Integration")]
public sealed class WatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PullsANewlyPushedMatchingTagAndResumesFromItsCursorWithoutRepulling()
    {
        await using var server = await RegistryServer.StartAsync();
        var host = server.BaseAddress.Authority;
        var push = new RegistryPushClient(server.Client);
        using var root = new AgentRoot();
        string[] arguments = ["--root", root.Path, "watch", host, "--repository", "team/*", "--tag", "v*"];

        var first = ImageBuilder.FromBusybox().Layer(l => l.File("version", "1")).Build();
        using (var watcher = await WatchingAgent.StartAsync(arguments))
        {
            await push.PushAsync("team/app", first, "v1");
            await push.PushAsync("other/app", first, "v1");   // another repository
            await push.PushAsync("team/app", first, "latest"); // another tag
            var line = await watcher.WaitForLineAsync("team/app:v1", Patience);
            Assert.EndsWith(first.Digest.ToString(), line);
            Assert.True(Directory.Exists(root.LayerPath(first.Layers[1].DiffId)), "the pulled image's layers are unpacked");
        }

        var second = ImageBuilder.FromBusybox().Layer(l => l.File("version", "2")).Build();
        await push.PushAsync("team/app", second, "v2"); // while no watcher runs
        using (var watcher = await WatchingAgent.StartAsync(arguments))
        {
            await watcher.WaitForLineAsync("team/app:v2", Patience);
            await Task.Delay(1000);
            Assert.Equal(["team/app:v2"], watcher.Pulled.Select(l => l.Split(' ')[1][(host.Length + 1)..]));
        }
    }

    [Fact]
    public async Task BacksOffWhileTheRegistryIsDownAndPullsOnceItIsUp()
    {
        var port = LoopbackPorts.Free();
        var host = $"127.0.0.1:{port}";
        using var root = new AgentRoot();
        using var watcher = await WatchingAgent.StartAsync(["--root", root.Path, "watch", host]);

        // Nothing listens yet: the watcher reports each failure and waits 1, 2, 4 … s between attempts.
        var retries = await watcher.WaitForErrorsAsync("unreachable", 3, Patience);
        Assert.Contains("retrying in 1 s", retries[0].Line);
        Assert.Contains("retrying in 2 s", retries[1].Line);
        Assert.Contains("retrying in 4 s", retries[2].Line);
        Assert.True(retries[2].At - retries[0].At >= TimeSpan.FromSeconds(2.5),
            "the second retry waited the doubled delay, not a fixed one");

        await using var server = await RegistryServer.StartAsync(configure: builder => builder.WebHost.UseUrls($"http://{host}"));
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("up", "1")).Build();
        await new RegistryPushClient(server.Client).PushAsync("team/app", image, "v1");
        var line = await watcher.WaitForLineAsync("team/app:v1", Patience);
        Assert.EndsWith(image.Digest.ToString(), line);
    }

    [Fact]
    public async Task PipedWatchPrintsPullProgressLinesWithoutEscapesAndQuietPrintsOnlyWhatItPulled()
    {
        await using var server = await RegistryServer.StartAsync();
        var host = server.BaseAddress.Authority;
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("progress", "1")).Build();
        await new RegistryPushClient(server.Client).PushAsync("team/app", image, "v1");
        using var root = new AgentRoot();
        using var quietRoot = new AgentRoot();

        using var watcher = await WatchingAgent.StartAsync(["--root", root.Path, "watch", host]);
        using var quiet = await WatchingAgent.StartAsync(["--root", quietRoot.Path, "watch", host, "--quiet"]);
        await watcher.WaitForLineAsync("team/app:v1", Patience);
        await quiet.WaitForLineAsync("team/app:v1", Patience);

        var layer = image.Layers[1].Digest.Hex[..12];
        Assert.Contains(watcher.Lines, l => l.StartsWith($"{layer}: downloaded (", StringComparison.Ordinal));
        Assert.DoesNotContain(watcher.Lines, l => l.Contains('\u001b'));
        Assert.Equal(quiet.Pulled, quiet.Lines); // no progress lines
    }

    /// <summary>The agent running `watch`, its stdout collected line by line; killed on dispose.</summary>
    private sealed class WatchingAgent : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> lines = new();
        private readonly ConcurrentQueue<(DateTime At, string Line)> errors = new();

        private WatchingAgent(Process process)
        {
            this.process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line) lines.Enqueue(line); };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not { } line) return;
                errors.Enqueue((DateTime.UtcNow, line));
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public static async Task<WatchingAgent> StartAsync(string[] arguments) => new(await AgentBinary.StartAsync(arguments));

        public IReadOnlyList<string> Lines => [.. lines];

        public IReadOnlyList<string> Pulled => [.. lines.Where(l => l.StartsWith("pulled ", StringComparison.Ordinal))];

        /// <summary>Waits until <paramref name="count"/> stderr lines contain <paramref name="fragment"/>; returns them.</summary>
        public async Task<IReadOnlyList<(DateTime At, string Line)>> WaitForErrorsAsync(string fragment, int count, TimeSpan timeout)
        {
            for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(100))
            {
                var matching = errors.Where(e => e.Line.Contains(fragment, StringComparison.Ordinal)).ToList();
                if (matching.Count >= count) return matching;
            }
            throw new TimeoutException($"watch printed fewer than {count} lines with {fragment}; stderr: {string.Join(" | ", errors.Select(e => e.Line))}");
        }

        public async Task<string> WaitForLineAsync(string fragment, TimeSpan timeout)
        {
            for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(100))
                if (Pulled.FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal)) is { } line) return line;
            throw new TimeoutException($"watch printed no line with {fragment}; stdout: {string.Join(" | ", lines)}; stderr: {string.Join(" | ", errors.Select(e => e.Line))}");
        }

        public void Dispose()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }
}
