using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent.Unpack;

/// <summary>
/// How entry names map onto the layer directory. Names are taken relative to the layer root, as umoci
/// (CleanPath + SecureJoin) and containerd (fs.RootPath) do and GNU tar does by stripping a leading '/':
/// '/', './' and '.' are the root itself, '/etc/passwd' is the layer's etc/passwd. '..' above the root is refused.
/// </summary>
[SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class EntryNameTests : IDisposable
{
    private static readonly DateTimeOffset Past = new(2019, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private const UnixFileMode RootMode = (UnixFileMode)0b111_101_000; // 0750, unlike the 0755 of a new directory
    private readonly UnpackScratch scratch = new();

    [Theory]
    [InlineData("/")]
    [InlineData("./")]
    [InlineData(".")]
    public void AnEntryNamingTheRootSetsTheRootDirectorysMetadata(string rootName)
    {
        var layer = scratch.Unpack(new LayerSpec()
            .Raw(new TarItem(TarEntryType.Directory, rootName, Mode: RootMode, Uid: 5, Gid: 6, ModificationTime: Past,
                             PaxAttributes: new Dictionary<string, string> { ["SCHILY.xattr.user.marker"] = "root" }))
            .File("etc/hostname", "box"));

        var root = FileFacts.Of(layer);
        Assert.Equal(("directory", "750", 5, 6, Past.ToUnixTimeSeconds()), (root.Type, root.Mode, root.Uid, root.Gid, root.MTime));
        Assert.Equal("root", FileFacts.Xattr(layer, "user.marker"));
        Assert.Equal("box", File.ReadAllText(Path.Combine(layer, "etc/hostname")));
    }

    [Theory]
    [InlineData(TarEntryType.RegularFile)]
    [InlineData(TarEntryType.SymbolicLink)]
    public void AnEntryReplacingTheRootWithANonDirectoryIsRefused(TarEntryType type)
    {
        var refusal = scratch.Refuses(new LayerSpec().Raw(new TarItem(type, "/", LinkName: type == TarEntryType.SymbolicLink ? "/etc" : null)));

        Assert.Contains("names the layer root but is not a directory", refusal.Message);
    }

    [Fact]
    public void AbsoluteNamesAreWrittenInsideTheLayer()
    {
        var layer = scratch.Unpack(new LayerSpec()
            .Raw(new TarItem(TarEntryType.Directory, "/etc/", Mode: TarItem.DefaultDirectoryMode))
            .Raw(new TarItem(TarEntryType.RegularFile, "/etc/passwd", Content: Text("root:x:0:0::/root:/bin/sh\n")))
            .Raw(new TarItem(TarEntryType.HardLink, "/etc/passwd-", LinkName: "/etc/passwd"))
            .Raw(new TarItem(TarEntryType.RegularFile, "//etc/./group", Content: Text("root:x:0:\n"))));

        Assert.Equal("root:x:0:0::/root:/bin/sh\n", File.ReadAllText(Path.Combine(layer, "etc/passwd")));
        Assert.Equal(FileFacts.Of(Path.Combine(layer, "etc/passwd")).Inode, FileFacts.Of(Path.Combine(layer, "etc/passwd-")).Inode);
        Assert.Equal("root:x:0:\n", File.ReadAllText(Path.Combine(layer, "etc/group")));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/../escape")]
    [InlineData("a/../../escape")]
    public void DotDotAboveTheRootIsRefused(string name)
    {
        var refusal = scratch.Refuses(new LayerSpec().File("a/keep", "x").Raw(new TarItem(TarEntryType.RegularFile, name, Content: Text("pwned"))));

        Assert.Contains("escapes the layer with '..'", refusal.Message);
        Assert.False(File.Exists(Path.Combine(scratch.Path, "escape")));
    }

    [Fact]
    public void DotDotThatStaysInsideTheLayerIsResolvedLexically()
    {
        var layer = scratch.Unpack(new LayerSpec().Raw(new TarItem(TarEntryType.RegularFile, "a/b/../c", Content: Text("c"))));

        Assert.Equal("c", File.ReadAllText(Path.Combine(layer, "a/c")));
        Assert.False(Directory.Exists(Path.Combine(layer, "a/b")));
    }

    private static Func<Stream> Text(string text) => () => new MemoryStream(Encoding.UTF8.GetBytes(text));

    public void Dispose() => scratch.Dispose();
}
