using System.Formats.Tar;
using System.Security.Cryptography;
using Registry.Oci;

namespace Registry.Tests.TestImages;

public class LayerTarTests
{
    [Fact]
    public void SameDescriptionGivesSameDigests()
    {
        // A host file like busybox's, but one every machine running the tests has (this assembly): the fast lane
        // needs no busybox-static.
        static TestImage Build(LayerCompression compression) => new ImageBuilder()
            .Layer(l => l.HostFile("bin/tool", typeof(LayerTarTests).Assembly.Location, TarItem.DefaultDirectoryMode))
            .Layer(l => l.File("app/a.txt", "a").Directory("app/data", uid: 1000).CompressedWith(compression))
            .Cmd("/bin/tool").Build();

        foreach (var compression in Enum.GetValues<LayerCompression>())
        {
            Assert.Equal(Build(compression).Digest, Build(compression).Digest);
        }
        Assert.NotEqual(Build(LayerCompression.Gzip).Digest, Build(LayerCompression.Zstd).Digest);
    }

    [Theory]
    [InlineData(LayerCompression.None)]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public void DiffIdIsTheDigestOfTheUncompressedTar(LayerCompression compression)
    {
        var layer = BuiltLayer.From(new LayerSpec().File("x", "content").CompressedWith(compression));

        using var tar = layer.OpenTar();
        using var uncompressed = new MemoryStream();
        tar.CopyTo(uncompressed);

        Assert.Equal(layer.DiffId, Digest.Sha256Of(uncompressed.ToArray()));
        Assert.Equal(layer.UncompressedSize, uncompressed.Length);
        Assert.Equal(layer.Digest, Digest.Sha256Of(layer.Bytes));
    }

    [Fact]
    public void WritesHostileEntriesVerbatim()
    {
        var layer = BuiltLayer.From(new LayerSpec()
            .Raw(new TarItem(TarEntryType.RegularFile, "../escape.txt", Content: () => new MemoryStream("x"u8.ToArray())))
            .Raw(new TarItem(TarEntryType.RegularFile, "/etc/absolute.txt"))
            .Symlink("evil", "/etc")
            .File("evil/through-link.txt", "written through a symlink")
            .Raw(new TarItem(TarEntryType.HardLink, "outside-link", LinkName: "../../etc/shadow"))
            .Raw(new TarItem(TarEntryType.CharacterDevice, "dev/kmsg-copy", DeviceMajor: 1, DeviceMinor: 11)));

        var entries = ReadEntries(layer);

        Assert.Equal(["../escape.txt", "/etc/absolute.txt", "evil", "evil/through-link.txt", "outside-link", "dev/kmsg-copy"],
            entries.Select(entry => entry.Name));
        Assert.Equal("/etc", entries[2].LinkName);
        Assert.Equal("../../etc/shadow", entries[4].LinkName);
        var device = Assert.IsType<PaxTarEntry>(entries[5]);
        Assert.Equal((TarEntryType.CharacterDevice, 1, 11), (device.EntryType, device.DeviceMajor, device.DeviceMinor));
    }

    [Fact]
    public void WritesWhiteoutsOwnershipModesAndTimes()
    {
        var modified = new DateTimeOffset(2020, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var setuid = UnixFileMode.SetUser | UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.OtherExecute;
        var layer = BuiltLayer.From(new LayerSpec()
            .Whiteout("/etc/group")
            .OpaqueDirectory("var/lib/")
            .File("usr/bin/su-like", "#!/bin/sh", setuid, uid: 0, gid: 42, modified)
            .Hardlink("usr/bin/su-again", "/usr/bin/su-like"));

        var entries = ReadEntries(layer);

        Assert.Equal(["etc/.wh.group", "var/lib/.wh..wh..opq", "usr/bin/su-like", "usr/bin/su-again"], entries.Select(e => e.Name));
        Assert.Equal((setuid, 42, modified), (entries[2].Mode, entries[2].Gid, entries[2].ModificationTime));
        Assert.Equal("usr/bin/su-like", entries[3].LinkName);
    }

    [Fact]
    public void ZeroFileMakesASmallBlobThatExpandsHugely()
    {
        const long size = 64L << 20;
        var layer = BuiltLayer.From(new LayerSpec().ZeroFile("bomb", size));

        Assert.True(layer.Bytes.Length < size / 100, $"compressed to {layer.Bytes.Length} bytes");
        Assert.True(layer.UncompressedSize > size);
        using var tar = new TarReader(layer.OpenTar());
        var entry = tar.GetNextEntry()!;
        Assert.Equal(size, entry.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(new ZeroStream(size))),
            Convert.ToHexStringLower(SHA256.HashData(entry.DataStream!)));
    }

    private static List<TarEntry> ReadEntries(BuiltLayer layer)
    {
        using var reader = new TarReader(layer.OpenTar());
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } entry) entries.Add(entry);
        return entries;
    }
}
