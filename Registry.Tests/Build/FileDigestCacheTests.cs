using System.Runtime.Versioning;
using System.Security.Cryptography;
using RuntimeAgent.Build.Context;

namespace Registry.Tests.Build;

/// <summary>
/// The builder's memory of context-file digests: reused only while the file's status is unchanged, and never
/// stored for a file changed within the last second (the kernel's file clock is coarse).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class FileDigestCacheTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("file-digests-").FullName;
    private string CachePath => Path.Combine(directory, "digests");

    [Fact]
    public void ASettledFileIsRememberedAndItsDigestReusedWithoutReadingIt()
    {
        var file = WriteSettled("a", "first content\n");
        var cache = FileDigestCache.Load(CachePath);
        Assert.Equal(Sha256Of(file), cache.DigestOf(file));
        cache.Save(directory);
        Assert.Contains(" " + file, File.ReadAllText(CachePath));

        // Plant a different digest for the same status: a reused entry returns it, proving the file was not read.
        var planted = new string('0', 64);
        File.WriteAllText(CachePath, File.ReadAllText(CachePath).Replace(Sha256Of(file), planted));
        Assert.Equal(planted, FileDigestCache.Load(CachePath).DigestOf(file));
    }

    [Fact]
    public void ContentChangedInPlaceWithTheSameSizeAndMtimeIsHashedAgain()
    {
        var file = WriteSettled("b", "AAAA\n");
        var cache = FileDigestCache.Load(CachePath);
        cache.DigestOf(file);
        cache.Save(directory);

        var mtime = File.GetLastWriteTimeUtc(file);
        File.WriteAllText(file, "BBBB\n");
        File.SetLastWriteTimeUtc(file, mtime); // same size, same mtime: only ctime tells
        Assert.Equal(Sha256Of(file), FileDigestCache.Load(CachePath).DigestOf(file));
    }

    [Fact]
    public void AFileChangedJustNowIsHashedButNotRemembered()
    {
        var file = Path.Combine(directory, "fresh");
        File.WriteAllText(file, "new\n");
        var cache = FileDigestCache.Load(CachePath);
        Assert.Equal(Sha256Of(file), cache.DigestOf(file));
        cache.Save(directory);
        Assert.False(File.Exists(CachePath) && File.ReadAllText(CachePath).Contains(file));
    }

    [Fact]
    public void ADamagedCacheFileIsAnEmptyCache()
    {
        var file = WriteSettled("c", "x\n");
        File.WriteAllText(CachePath, "garbage line\n1 2 3\n\n");
        Assert.Equal(Sha256Of(file), FileDigestCache.Load(CachePath).DigestOf(file));
    }

    private string WriteSettled(string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        Thread.Sleep(1100); // ctime cannot be set back: wait until the file is older than the settling second
        return path;
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
