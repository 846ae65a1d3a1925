using System.Text.Json;
using System.Diagnostics;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>The host-wide store: shared layers stored and unpacked once, concurrent pulls, rmi and gc.</summary>
[Trait("Category", "Integration")]
public sealed class StoreTests(AgentRegistryFixture registry) : IClassFixture<AgentRegistryFixture>
{
    private static TestImage WithTop(LayerSpec baseLayer, string name) =>
        new ImageBuilder().Layer(baseLayer).Layer(l => l.File($"{name}.txt", name)).Build();

    [Fact]
    public async Task ImagesSharingABaseLayerStoreAndUnpackItOnce()
    {
        var baseLayer = BusyboxBase.Layer().File("base-id", Guid.NewGuid().ToString());
        var first = WithTop(baseLayer, "first");
        var second = WithTop(baseLayer, "second");
        Assert.Equal(first.Layers[0].Digest, second.Layers[0].Digest);
        var firstReference = await registry.PushAsync(first);
        var secondReference = await registry.PushAsync(second);
        using var root = new AgentRoot();

        await root.RunOkAsync("pull", firstReference);
        var busybox = FileFacts.Of(Path.Combine(root.LayerPath(first.Layers[0].DiffId), "bin/busybox"));
        var secondPull = await root.RunOkAsync("pull", secondReference);

        Assert.Contains($"{first.Layers[0].Digest.Hex[..12]}: cached", secondPull.Stdout);
        Assert.Equal(3, root.LayerEntries().Count);
        Assert.Equal(5, Directory.EnumerateFiles(root.BlobsDirectory).Count()); // 2 configs + 3 layers
        // The same inode: the base layer was not unpacked a second time.
        Assert.Equal(busybox.Inode, FileFacts.Of(Path.Combine(root.LayerPath(first.Layers[0].DiffId), "bin/busybox")).Inode);
    }

    [Fact]
    public async Task ConcurrentPullsDownloadEachLayerOnceAndLeaveAnIntactStore()
    {
        var baseLayer = BusyboxBase.Layer().ZeroFile("filler", 32 << 20); // big enough that the pulls overlap
        var first = WithTop(baseLayer, "first");
        var second = WithTop(baseLayer, "second");
        var references = new[] { await registry.PushAsync(first), await registry.PushAsync(second) };
        using var root = new AgentRoot();

        var pulls = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => root.RunAsync("pull", references[i % 2])));

        Assert.All(pulls, pull => Assert.True(pull.ExitCode == 0, pull.ToString()));
        var baseLabel = first.Layers[0].Digest.Hex[..12];
        Assert.Equal(1, pulls.Sum(p => p.Stdout.Split('\n').Count(line => line.StartsWith($"{baseLabel}: downloaded", StringComparison.Ordinal))));
        Assert.Equal(3, root.LayerEntries().Count); // no leftovers from a second unpack
        Assert.Empty(Directory.EnumerateFiles(root.PartialDirectory));
        Assert.Equal(32L << 20, new FileInfo(Path.Combine(root.LayerPath(first.Layers[0].DiffId), "filler")).Length);
        Assert.Equal("second", File.ReadAllText(Path.Combine(root.LayerPath(second.Layers[1].DiffId), "second.txt")));
    }

    [Fact]
    public async Task GcRemovesWhatARunThatNeverFinishedLeftBehind()
    {
        // A run -d killed before its record (or by a reboot) leaves the container's directory without state.json and the
        // cgroups its spec names; nothing lists it, so rm cannot reach it: gc does.
        var reference = await registry.PushAsync(WithTop(BusyboxBase.Layer().File("base-id", Guid.NewGuid().ToString()), "unfinished"));
        using var root = new AgentRoot();
        var id = (await root.RunOkAsync("run", "-d", reference, "sleep", "600")).Stdout.Trim();
        var state = JsonDocument.Parse((await root.RunOkAsync("inspect", id)).Stdout).RootElement[0].GetProperty("state");
        var (monitor, pid) = (state.GetProperty("monitorPid").GetInt32(), state.GetProperty("pid").GetInt32());
        var directory = System.IO.Path.Combine(root.Path, "containers", id);
        var cgroups = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(directory, "spec.json"))).RootElement
            .GetProperty("CgroupDirectories").EnumerateArray().Select(d => d.GetString()!).ToList();
        Assert.NotEmpty(cgroups);
        Process.GetProcessById(monitor).Kill();
        Process.GetProcessById(pid).Kill(); // as a reboot or a kill of the run's process group would
        for (var i = 0; i < 200 && (ProcessTree.Alive(monitor) || ProcessTree.Alive(pid)); i++) await Task.Delay(50);
        File.Delete(System.IO.Path.Combine(directory, "state.json"));

        var gc = await root.RunOkAsync("gc");
        Assert.Contains("1 unfinished containers", gc.Stdout);
        Assert.False(Directory.Exists(directory));
        Assert.All(cgroups, cgroup => Assert.False(Directory.Exists(cgroup), $"{cgroup} is left"));
    }

    [Fact]
    public async Task RmiThenGcFreesOnlyWhatNoImageUses()
    {
        var baseLayer = BusyboxBase.Layer().File("base-id", Guid.NewGuid().ToString());
        var first = WithTop(baseLayer, "first");
        var second = WithTop(baseLayer, "second");
        var firstReference = await registry.PushAsync(first);
        var secondReference = await registry.PushAsync(second);
        using var root = new AgentRoot();
        await root.RunOkAsync("pull", firstReference);
        await root.RunOkAsync("pull", secondReference);

        await root.RunOkAsync("rmi", firstReference);
        var gc = await root.RunOkAsync("gc");

        Assert.Contains("Removed 2 blobs", gc.Stdout); // first's config and top layer
        Assert.False(Directory.Exists(root.LayerPath(first.Layers[1].DiffId)));
        Assert.True(Directory.Exists(root.LayerPath(first.Layers[0].DiffId)));
        Assert.True(Directory.Exists(root.LayerPath(second.Layers[1].DiffId)));
        var images = (await root.RunOkAsync("images")).Stdout;
        Assert.DoesNotContain(firstReference, images);
        Assert.Contains(secondReference, images);
    }

    [Fact]
    public async Task RmiOfAnUnknownImageFails()
    {
        using var root = new AgentRoot();

        var rmi = await root.RunAsync("rmi", $"{registry.Host}/agent/none:1.0");

        Assert.Equal(1, rmi.ExitCode);
        Assert.Contains("no such image", rmi.Stderr);
    }
}
