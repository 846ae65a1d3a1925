using System.Formats.Tar;
using System.Runtime.Versioning;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent.Unpack;

/// <summary>What a later entry does to an earlier one in the same layer, and the whiteout corner cases.</summary>
[SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class EntryOrderTests : IDisposable
{
    private static readonly DateTimeOffset First = new(2018, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Second = new(2022, 6, 6, 6, 6, 6, TimeSpan.Zero);
    private readonly UnpackScratch scratch = new();

    [Fact]
    public void AFileReplacingADirectoryTreeKeepsItsOwnTime()
    {
        var layer = scratch.Unpack(new LayerSpec()
            .Directory("a", modified: First).Directory("a/b", modified: First).File("a/b/c", "c")
            .File("a", "now a file", modified: Second));

        var replaced = FileFacts.Of(Path.Combine(layer, "a"));
        Assert.Equal(("regular file", Second.ToUnixTimeSeconds()), (replaced.Type, replaced.MTime));
        Assert.Equal("now a file", File.ReadAllText(Path.Combine(layer, "a")));
    }

    [Fact]
    public void ADirectoryListedTwiceGetsTheLaterEntrysTime()
    {
        var layer = scratch.Unpack(new LayerSpec()
            .Directory("etc", modified: First).File("etc/hosts", "h")
            .Directory("etc", modified: Second).File("etc/hostname", "n"));

        Assert.Equal(Second.ToUnixTimeSeconds(), FileFacts.Of(Path.Combine(layer, "etc")).MTime);
    }

    [Fact]
    public void DirectoryTimesAreSetAfterTheirChildrenAndWhiteoutsAreWritten()
    {
        var layer = scratch.Unpack(new LayerSpec()
            .Directory("var", modified: First).Directory("var/lib", modified: First)
            .File("var/lib/state", "s").Whiteout("var/lib/gone").OpaqueDirectory("var"));

        Assert.Equal(First.ToUnixTimeSeconds(), FileFacts.Of(Path.Combine(layer, "var")).MTime);
        Assert.Equal(First.ToUnixTimeSeconds(), FileFacts.Of(Path.Combine(layer, "var/lib")).MTime);
    }

    [Fact]
    public void AHardlinkToAWhiteoutIsRefused()
    {
        var refusal = scratch.Refuses(new LayerSpec().Whiteout("etc/shadow").Hardlink("etc/copy", "etc/shadow"));

        Assert.Contains("whiteout", refusal.Message);
    }

    [Fact]
    public void AufsMetadataEntriesAreSkippedNotTurnedIntoWhiteouts()
    {
        var layer = scratch.Unpack(new LayerSpec()
            .Raw(new TarItem(TarEntryType.Directory, ".wh..wh.plnk/", Mode: TarItem.DefaultDirectoryMode))
            .Raw(new TarItem(TarEntryType.RegularFile, ".wh..wh.plnk/12345.678"))
            .Raw(new TarItem(TarEntryType.RegularFile, ".wh..wh.aufs"))
            .File("kept", "k"));

        Assert.Equal(["kept"], Directory.EnumerateFileSystemEntries(layer).Select(Path.GetFileName));
    }

    [Fact]
    public void ASymlinkLoopIsStoredButNeverWrittenThrough()
    {
        var refusal = scratch.Refuses(new LayerSpec().Symlink("a", "b").Symlink("b", "a")
            .Raw(new TarItem(TarEntryType.RegularFile, "a/file")));

        Assert.Contains("through a symlink", refusal.Message);
    }

    [Fact]
    public void SetuidAndSetgidSurviveTheChownOfTheirOwner()
    {
        const UnixFileMode setuidSetgid = (UnixFileMode)0b110_111_101_101; // 06755
        var layer = scratch.Unpack(new LayerSpec().File("bin/su", "#!/bin/sh\n", setuidSetgid, uid: 0, gid: 42)
            .Directory("shared", (UnixFileMode)0b011_111_111_101, uid: 1000, gid: 1000)); // 03775: setgid + sticky

        Assert.Equal(("6755", 42), (FileFacts.Of(Path.Combine(layer, "bin/su")).Mode, FileFacts.Of(Path.Combine(layer, "bin/su")).Gid));
        Assert.Equal("3775", FileFacts.Of(Path.Combine(layer, "shared")).Mode);
    }

    [Fact]
    public void BlockDevicesAreCreatedWithTheirNumbers()
    {
        var layer = scratch.Unpack(new LayerSpec()
            .Raw(new TarItem(TarEntryType.BlockDevice, "dev/loop7", Mode: TarItem.DefaultFileMode, DeviceMajor: 7, DeviceMinor: 7, Gid: 6)));

        var device = FileFacts.Of(Path.Combine(layer, "dev/loop7"));
        Assert.Equal(("block special file", 7, 7, 6, "644"), (device.Type, device.Major, device.Minor, device.Gid, device.Mode));
    }

    public void Dispose() => scratch.Dispose();
}
