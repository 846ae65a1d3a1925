using System.Formats.Tar;
using System.Runtime.Versioning;
using Registry.Tests.Conformance;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent.Unpack;

/// <summary>
/// Xattr values are bytes, not text: a file capability (security.capability, a binary v2 blob) must come out of the
/// layer exactly as it went in, or the binary loses its capabilities (or gets different ones) in the container.
/// </summary>
[SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class XattrTests : IDisposable
{
    // Bit 7 (cap_setuid) puts a 0x80 byte in the blob, which a UTF-8 round trip replaces.
    private const string Capabilities = "cap_setuid,cap_net_bind_service+ep";
    private const string BinaryValue = "00ff80c3280a7f";
    private readonly UnpackScratch scratch = new();

    [Fact]
    public async Task AFileCapabilityFromAGnuTarLayerKeepsItsBytes()
    {
        var source = Path.Combine(scratch.Path, "source");
        var ping = await HostXattrs.CapabilityTreeAsync(source, "ping", Capabilities, BinaryValue);
        var capability = await HostXattrs.HexAsync(ping, "security.capability");
        var tar = Path.Combine(scratch.Path, "layer.tar");
        await ExternalTool.RunAsync("tar", ["--xattrs", "--xattrs-include=*", "--format=pax", "-C", source, "-cf", tar, "."]);

        var layer = scratch.UnpackTar(tar);

        Assert.Equal(capability, await HostXattrs.HexAsync(Path.Combine(layer, "bin/ping"), "security.capability"));
        Assert.Contains("cap_setuid,cap_net_bind_service=ep", await ExternalTool.RunAsync("getcap", [Path.Combine(layer, "bin/ping")]));
        Assert.Equal(BinaryValue, await HostXattrs.HexAsync(Path.Combine(layer, "bin"), "user.blob"));
    }

    [Fact]
    public async Task LibarchiveXattrsAreDecodedFromBase64()
    {
        // bsdtar's form: URL-encoded name, base64 value without padding ("AP+Aw" is 00 ff 80 c3).
        var layer = scratch.Unpack(new LayerSpec().Raw(new TarItem(TarEntryType.RegularFile, "tagged",
            PaxAttributes: new Dictionary<string, string> { ["LIBARCHIVE.xattr.user.with%20space"] = "AP+Aww" })));

        Assert.Equal("00ff80c3", await HostXattrs.HexAsync(Path.Combine(layer, "tagged"), "user.with space"));
    }

    [Fact]
    public async Task ALayerCannotForgeOverlayAttributes()
    {
        var layer = scratch.Unpack(new LayerSpec().Raw(new TarItem(TarEntryType.Directory, "dir/", Mode: TarItem.DefaultDirectoryMode,
            PaxAttributes: new Dictionary<string, string> { ["SCHILY.xattr.trusted.overlay.redirect"] = "/etc", ["SCHILY.xattr.user.kept"] = "yes" })));

        Assert.Null(FileFacts.Xattr(Path.Combine(layer, "dir"), "trusted.overlay.redirect"));
        Assert.Equal("796573", await HostXattrs.HexAsync(Path.Combine(layer, "dir"), "user.kept"));
    }

    public void Dispose() => scratch.Dispose();
}
