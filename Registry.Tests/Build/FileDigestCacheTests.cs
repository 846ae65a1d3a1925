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
        Assert.Equal(Sha256Of(file), cache.DigestOf(file).ToString());
        cache.Save(directory);

        // Plant a different digest for the same status: a reused entry returns it, proving the file was not read.
        var bytes = File.ReadAllBytes(CachePath);
        var at = bytes.AsSpan().IndexOf(Convert.FromHexString(Sha256Of(file)));
        Assert.True(at > 0, "the digest is in the cache file");
        bytes.AsSpan(at, 32).Clear();
        File.WriteAllBytes(CachePath, bytes);
        Assert.Equal(new string('0', 64), FileDigestCache.Load(CachePath).DigestOf(file).ToString());
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
        Assert.Equal(Sha256Of(file), FileDigestCache.Load(CachePath).DigestOf(file).ToString());
    }

    [Fact]
    public void AFileChangedJustNowIsHashedButNotRemembered()
    {
        var file = Path.Combine(directory, "fresh");
        File.WriteAllText(file, "new\n");
        var cache = FileDigestCache.Load(CachePath);
        Assert.Equal(Sha256Of(file), cache.DigestOf(file).ToString());
        cache.Save(directory);
        Assert.False(File.Exists(CachePath), "nothing was learned, so nothing is written");
    }

    [Fact]
    public void ADamagedCacheFileIsAnEmptyCache()
    {
        var file = WriteSettled("c", "x\n");
        File.WriteAllText(CachePath, "rtagent-file-digests-2\ngarbage that is not a whole record");
        Assert.Equal(Sha256Of(file), FileDigestCache.Load(CachePath).DigestOf(file).ToString());
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
