using System.Runtime.Versioning;
using System.Security.Cryptography;
using RuntimeAgent.Unpack;
using Registry.Tests.TestImages;
using AgentDigest = Registry.Oci.Digest;

namespace Registry.Tests.Agent.Unpack;

/// <summary>
/// A temp directory holding one layer blob and the directory the agent's real <see cref="LayerUnpacker"/> unpacks it
/// into, in-process (the end-to-end pull path is covered by <c>UnpackTests</c>); deleted afterwards.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class UnpackScratch : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"agent-unpack-{Guid.NewGuid():N}");

    /// <summary>Where the layer is unpacked to.</summary>
    public string Layer => System.IO.Path.Combine(Path, "layer");

    public UnpackScratch() => Directory.CreateDirectory(Path);

    /// <summary>Builds <paramref name="spec"/> with the test image builder (.NET's TarWriter, PAX) and unpacks it.</summary>
    public string Unpack(LayerSpec spec, long maxBytes = LayerUnpacker.DefaultMaxBytes)
    {
        var built = BuiltLayer.From(spec);
        var blob = System.IO.Path.Combine(Path, $"blob-{Guid.NewGuid():N}");
        File.WriteAllBytes(blob, built.Bytes);
        LayerUnpacker.Unpack(blob, AgentDigest.Parse(built.DiffId.ToString()), Layer, maxBytes);
        return Layer;
    }

    /// <summary>Unpacks a tar file as it is (no compression), with its own sha256 as the diff_id.</summary>
    public string UnpackTar(string tarPath)
    {
        using (var tar = File.OpenRead(tarPath))
        {
            var diffId = AgentDigest.FromHash("sha256", SHA256.HashData(tar));
            LayerUnpacker.Unpack(tarPath, diffId, Layer, LayerUnpacker.DefaultMaxBytes);
        }
        return Layer;
    }

    /// <summary>Asserts the layer is refused and nothing of it (the layer or its temp directory) stays behind.</summary>
    public LayerRefusedException Refuses(LayerSpec spec)
    {
        var refusal = Assert.Throws<LayerRefusedException>(() => Unpack(spec));
        Assert.Empty(Directory.EnumerateDirectories(Path));
        return refusal;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
    }
}
