using System.Formats.Tar;
using System.Runtime.Versioning;
using RuntimeAgent.Unpack;
using Registry.Tests.Conformance;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent.Unpack;

/// <summary>The tar dialects image builders write (GNU, ustar, PAX) read by the agent's own tar reader, and corrupt tars refused.</summary>
[SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class TarFormatTests : IDisposable
{
    private static readonly string LongDirectory = string.Join('/', Enumerable.Range(0, 6).Select(i => $"directory-number-{i}-with-a-long-name"));
    private readonly UnpackScratch scratch = new();

    [Theory]
    [InlineData("gnu")]   // ././@LongLink entries, base-256 owners
    [InlineData("pax")]   // path/linkpath/uid/gid records
    public async Task LongNamesLongLinkTargetsAndLargeOwnersSurvive(string format)
    {
        var source = Path.Combine(scratch.Path, "source");
        Directory.CreateDirectory(Path.Combine(source, LongDirectory));
        File.WriteAllText(Path.Combine(source, LongDirectory, "file"), "deep");
        File.CreateSymbolicLink(Path.Combine(source, "link"), $"/{LongDirectory}/file");
        var tar = Path.Combine(scratch.Path, "layer.tar");
        await ExternalTool.RunAsync("tar", [$"--format={format}", "--owner=3000000", "--group=3000001", "--numeric-owner", "-C", source, "-cf", tar, "."]);

        var layer = scratch.UnpackTar(tar);

        var file = Path.Combine(layer, LongDirectory, "file");
        Assert.Equal("deep", File.ReadAllText(file));
        Assert.Equal((3000000, 3000001), (FileFacts.Of(file).Uid, FileFacts.Of(file).Gid));
        Assert.Equal($"/{LongDirectory}/file", new FileInfo(Path.Combine(layer, "link")).LinkTarget);
    }

    [Fact]
    public async Task UstarNamePrefixesAreJoined()
    {
        var source = Path.Combine(scratch.Path, "source");
        var directory = Path.Combine(source, "usr/share/some-package-with-a-rather-long-name/documentation/examples/configuration");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "example-configuration-file-with-a-long-name.conf"), "x=1");
        var tar = Path.Combine(scratch.Path, "layer.tar");
        await ExternalTool.RunAsync("tar", ["--format=ustar", "-C", source, "-cf", tar, "usr"]);

        var layer = scratch.UnpackTar(tar);

        Assert.Equal("x=1", File.ReadAllText(Path.Combine(layer, Path.GetRelativePath(source, directory), "example-configuration-file-with-a-long-name.conf")));
    }

    [Fact]
    public void PaxTimesKeepTheirFractionAndGlobalHeadersAreNotEntries()
    {
        var time = new DateTimeOffset(2021, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234567);
        var tar = Path.Combine(scratch.Path, "layer.tar");
        using (var writer = new TarWriter(File.Create(tar), TarEntryFormat.Pax))
        {
            writer.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = "written by a test" }));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "stamped", new Dictionary<string, string>()) { ModificationTime = time });
        }

        var layer = scratch.UnpackTar(tar);

        Assert.Equal(time.UtcTicks, File.GetLastWriteTimeUtc(Path.Combine(layer, "stamped")).Ticks);
        Assert.Equal(["stamped"], Directory.EnumerateFileSystemEntries(layer).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("pax")]
    public async Task SparseFilesAreRefused(string format)
    {
        var source = Path.Combine(scratch.Path, "source");
        Directory.CreateDirectory(source);
        using (var sparse = File.Create(Path.Combine(source, "sparse"))) sparse.SetLength(1 << 20);
        var tar = Path.Combine(scratch.Path, "layer.tar");
        await ExternalTool.RunAsync("tar", [$"--format={format}", "--sparse", "-C", source, "-cf", tar, "sparse"]);

        var refusal = Assert.Throws<LayerRefusedException>(() => scratch.UnpackTar(tar));

        Assert.Contains("sparse files are not supported", refusal.Message);
        Assert.False(Directory.Exists(scratch.Layer));
    }

    [Theory]
    [InlineData("checksum", "bad checksum")]
    [InlineData("truncated", "ends inside")]
    [InlineData("pax-record", "malformed PAX")]
    public void ACorruptTarIsRefused(string damage, string expected)
    {
        var tar = Path.Combine(scratch.Path, "layer.tar");
        using (var writer = new TarWriter(File.Create(tar), TarEntryFormat.Pax))
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "file", new Dictionary<string, string> { ["comment"] = "x" })
                { DataStream = new MemoryStream(new byte[4096]) });
        var bytes = File.ReadAllBytes(tar);
        switch (damage)
        {
            case "checksum": bytes[1024 + 10] ^= 0x55; break;           // the file's ustar header (after the PAX header and its data)
            case "truncated": bytes = bytes[..(1536 + 1000)]; break;    // inside the file's data
            case "pax-record": bytes[512] = (byte)'9'; break;                // the first record's length
        }
        File.WriteAllBytes(tar, bytes);

        var refusal = Assert.Throws<LayerRefusedException>(() => scratch.UnpackTar(tar));

        Assert.Contains("not a valid tar", refusal.Message);
        Assert.Contains(expected, refusal.Message);
        Assert.False(Directory.Exists(scratch.Layer));
    }

    public void Dispose() => scratch.Dispose();
}
