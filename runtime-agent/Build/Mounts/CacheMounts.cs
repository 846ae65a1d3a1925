using RuntimeAgent.Build.Image;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build.Mounts;

/// <summary>
/// <c>RUN --mount=type=cache</c> directories: one per id under <c>build/cache-mounts</c> in --root, kept across
/// builds and never part of a layer or a cache key. Sharing as BuildKit: <c>shared</c> lets concurrent builds use
/// it together, <c>locked</c> waits for the holder, <c>private</c> takes a fresh throwaway directory when it is held.
/// </summary>
internal static class CacheMounts
{
    public static string Acquire(BuildStore store, RunMountSpec spec, string scratch, PreparedMounts prepared)
    {
        var root = Path.Combine(store.Layout.Root, "build", "cache-mounts");
        Directory.CreateDirectory(root);
        // The id may be any text (a path, often): the directory is named by its hash.
        var name = ShortSha256.HexOf("cache-mount\n" + spec.Id)[..32];
        var directory = Path.Combine(root, name);
        if (spec.Sharing != CacheSharing.Shared)
        {
            var lockPath = directory + ".lock";
            var held = spec.Sharing == CacheSharing.Locked
                ? FileLock.AcquireAsync(lockPath, exclusive: true, CancellationToken.None).GetAwaiter().GetResult()
                : FileLock.TryAcquire(lockPath, exclusive: true);
            if (held is null) return Create(Path.Join(scratch, "private-cache"), spec); // private and in use: a fresh one
            prepared.Locks.Add(held);
        }
        return Directory.Exists(directory) ? directory : Create(directory, spec);
    }

    // Made aside and renamed into place, so a concurrent build never sees it without its owner and mode.
    private static string Create(string directory, RunMountSpec spec)
    {
        var temp = $"{directory}.{Guid.NewGuid():N}.new";
        Directory.CreateDirectory(temp);
        File.SetUnixFileMode(temp, (UnixFileMode)(spec.Mode ?? 0x1ED /* 0755 */));
        if (Native.Libc.FchownAt(Native.Libc.AtFdCwd, temp, spec.Uid, spec.Gid, Native.Libc.AtSymlinkNoFollow) != 0)
            throw new IOException($"chown the cache mount {spec.Id}: {Native.Libc.ErrorText(Native.Libc.LastError)}");
        try { Directory.Move(temp, directory); }
        catch (IOException) when (Directory.Exists(directory)) { Directory.Delete(temp); } // another build made it first
        return directory;
    }
}
