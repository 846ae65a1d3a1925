using Registry.Oci;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>`runtime-agent pull` against the project's registry: references, media types, indexes, verification.</summary>
[Trait("Category", "Integration")]
public sealed class PullTests(AgentRegistryFixture registry) : IClassFixture<AgentRegistryFixture>
{
    [Fact]
    public async Task PullsByTagAndUnpacksEveryLayer()
    {
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("app/hello.txt", "hello from the top layer")).Build();
        var reference = await registry.PushAsync(image);
        using var root = new AgentRoot();

        var pull = await root.RunOkAsync("pull", reference);

        Assert.Contains($"Digest: {image.Digest}", pull.Stdout);
        Assert.Equal("hello from the top layer", File.ReadAllText(Path.Combine(root.LayerPath(image.Layers[1].DiffId), "app/hello.txt")));
        Assert.True(File.Exists(Path.Combine(root.LayerPath(image.Layers[0].DiffId), "bin/busybox")));
        var images = await root.RunOkAsync("images");
        Assert.Contains(reference, images.Stdout);
        Assert.Contains(image.Digest.ToString(), images.Stdout);
    }

    [Fact]
    public async Task PullsByDigest()
    {
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("by-digest", Guid.NewGuid().ToString())).Build();
        var tagged = await registry.PushAsync(image);
        var byDigest = $"{tagged[..tagged.LastIndexOf(':')]}@{image.Digest}";
        using var root = new AgentRoot();

        var pull = await root.RunOkAsync("pull", byDigest);

        Assert.Contains($"Digest: {image.Digest}", pull.Stdout);
        Assert.True(Directory.Exists(root.LayerPath(image.Layers[1].DiffId)));
        Assert.Contains(byDigest, (await root.RunOkAsync("images")).Stdout);
    }

    [Theory]
    [InlineData(ImageFormat.Oci)]
    [InlineData(ImageFormat.Docker)]
    public async Task ResolvesAnIndexToTheLinuxAmd64Image(ImageFormat format)
    {
        var arm = ImageBuilder.FromBusybox().Format(format).Platform(new Platform("linux", "arm64"))
            .Layer(l => l.File("platform", "arm64")).Build();
        var amd = ImageBuilder.FromBusybox().Format(format).Layer(l => l.File("platform", "amd64")).Build();
        var index = new IndexBuilder().Format(format)
            .Add(arm, new Platform("linux", "arm64")).Add(amd, Platform.LinuxAmd64).Build();
        var reference = await registry.PushAsync(index);
        using var root = new AgentRoot();

        var pull = await root.RunOkAsync("pull", reference);

        Assert.Contains($"Digest: {index.Digest}", pull.Stdout);
        Assert.Equal("amd64", File.ReadAllText(Path.Combine(root.LayerPath(amd.Layers[1].DiffId), "platform")));
        Assert.False(Directory.Exists(root.LayerPath(arm.Layers[1].DiffId)));
    }

    [Fact]
    public async Task RefusesAnIndexWithoutLinuxAmd64()
    {
        var arm = ImageBuilder.FromBusybox().Platform(new Platform("linux", "arm64")).Build();
        var reference = await registry.PushAsync(new IndexBuilder().Add(arm, new Platform("linux", "arm64")).Build());
        using var root = new AgentRoot();

        var pull = await root.RunAsync("pull", reference);

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("no linux/amd64", pull.Stderr);
    }

    [Theory]
    [InlineData(LayerCompression.Zstd)]
    [InlineData(LayerCompression.None)]
    public async Task UnpacksZstdAndUncompressedLayers(LayerCompression compression)
    {
        var image = ImageBuilder.FromBusybox()
            .Layer(l => l.File("data.txt", $"compressed with {compression}").CompressedWith(compression)).Build();
        var reference = await registry.PushAsync(image);
        using var root = new AgentRoot();

        await root.RunOkAsync("pull", reference);

        Assert.Equal($"compressed with {compression}", File.ReadAllText(Path.Combine(root.LayerPath(image.Layers[1].DiffId), "data.txt")));
    }

    [Fact]
    public async Task UnknownTagFailsWithAClearError()
    {
        var reference = await registry.PushAsync(ImageBuilder.FromBusybox().Build());
        using var root = new AgentRoot();

        var pull = await root.RunAsync("pull", reference[..reference.LastIndexOf(':')] + ":no-such-tag");

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("manifest unknown", pull.Stderr);
        Assert.Empty(root.LayerEntries());
    }

    [Fact]
    public async Task RefusesALayerWhoseBytesDoNotMatchItsDigest()
    {
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("payload", new string('x', 10_000))).Build();
        var reference = await registry.PushAsync(image);
        // Tamper with the registry's stored copy: same length, different bytes.
        var stored = registry.StoredBlobPath(image.Layers[1].Digest);
        var bytes = File.ReadAllBytes(stored);
        bytes[^20] ^= 0xff;
        File.WriteAllBytes(stored, bytes);
        using var root = new AgentRoot();

        var pull = await root.RunAsync("pull", reference);

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains($"blob {image.Layers[1].Digest} failed verification", pull.Stderr);
        Assert.False(File.Exists(Path.Combine(root.BlobsDirectory, image.Layers[1].Digest.Hex)));
        Assert.False(Directory.Exists(root.LayerPath(image.Layers[1].DiffId)));
        Assert.DoesNotContain(reference, (await root.RunOkAsync("images")).Stdout);
    }

    [Fact]
    public async Task ResumesAPartialDownloadWithARangeRequest()
    {
        var payload = new byte[3 << 20];
        Random.Shared.NextBytes(payload);
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("random.bin", payload).CompressedWith(LayerCompression.None)).Build();
        var reference = await registry.PushAsync(image);
        var layer = image.Layers[1];
        using var root = new AgentRoot();
        Directory.CreateDirectory(root.PartialDirectory);
        var half = layer.Bytes.Length / 2;
        File.WriteAllBytes(Path.Combine(root.PartialDirectory, $"sha256-{layer.Digest.Hex}"), layer.Bytes[..half]);

        var pull = await root.RunOkAsync("pull", reference);

        Assert.Contains($"{layer.Digest.Hex[..12]}: resuming at {half} of {layer.Bytes.Length} bytes", pull.Stdout);
        Assert.Equal(layer.Digest, Digest.Sha256Of(File.ReadAllBytes(Path.Combine(root.BlobsDirectory, layer.Digest.Hex))));
        Assert.Equal(payload, File.ReadAllBytes(Path.Combine(root.LayerPath(layer.DiffId), "random.bin")));
        Assert.Empty(Directory.EnumerateFiles(root.PartialDirectory));
    }

    [Fact]
    public async Task StartsOverWhenAResumedDownloadDoesNotVerify()
    {
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("file", new string('y', 100_000)).CompressedWith(LayerCompression.None)).Build();
        var reference = await registry.PushAsync(image);
        var layer = image.Layers[1];
        using var root = new AgentRoot();
        Directory.CreateDirectory(root.PartialDirectory);
        File.WriteAllBytes(Path.Combine(root.PartialDirectory, $"sha256-{layer.Digest.Hex}"), new byte[1000]); // a corrupt prefix

        var pull = await root.RunOkAsync("pull", reference);

        Assert.Contains("downloading again", pull.Stdout);
        Assert.Equal(layer.Digest, Digest.Sha256Of(File.ReadAllBytes(Path.Combine(root.BlobsDirectory, layer.Digest.Hex))));
    }
}
