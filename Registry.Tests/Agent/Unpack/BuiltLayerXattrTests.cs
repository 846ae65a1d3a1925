using System.Runtime.Versioning;
using RuntimeAgent.Build.Layers;
using RuntimeAgent.Unpack;
using Registry.Tests.Conformance;

namespace Registry.Tests.Agent.Unpack;

/// <summary>
/// The builder's side of xattrs: a file capability set by a RUN step (here with setcap on the directory the layer is
/// made from) is written into the layer as raw bytes, and comes back out of both the agent's unpacker and GNU tar.
/// </summary>
[SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class BuiltLayerXattrTests : IDisposable
{
    private readonly UnpackScratch scratch = new();

    [Fact]
    public async Task ACapabilitySetInTheBuildSurvivesTheLayerRoundTrip()
    {
        var upper = Path.Combine(scratch.Path, "upper");
        var tool = await HostXattrs.CapabilityTreeAsync(upper, "tool", "cap_setuid,cap_net_raw+ep", "00ff80c3280a");
        var capability = await HostXattrs.HexAsync(tool, "security.capability");

        var blob = LayerTarWriter.Write(upper, TimestampPolicy.AllFixed(0), Path.Combine(scratch.Path, "blobs"));
        LayerUnpacker.Unpack(blob.Path, blob.DiffId, scratch.Layer, LayerUnpacker.DefaultMaxBytes);

        Assert.Equal(capability, await HostXattrs.HexAsync(Path.Combine(scratch.Layer, "bin/tool"), "security.capability"));
        Assert.Equal("00ff80c3280a", await HostXattrs.HexAsync(Path.Combine(scratch.Layer, "bin"), "user.blob"));
        var byGnuTar = Path.Combine(scratch.Path, "gnu-tar");
        Directory.CreateDirectory(byGnuTar);
        await ExternalTool.RunAsync("tar", ["--xattrs", "--xattrs-include=*", "-xzf", blob.Path, "-C", byGnuTar]);
        Assert.Contains("cap_setuid,cap_net_raw=ep", await ExternalTool.RunAsync("getcap", [Path.Combine(byGnuTar, "bin/tool")]));
        Assert.Equal("#!/bin/sh\n", File.ReadAllText(Path.Combine(byGnuTar, "bin/tool")));
    }

    public void Dispose() => scratch.Dispose();
}
