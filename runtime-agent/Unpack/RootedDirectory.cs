using RuntimeAgent.Native;

namespace RuntimeAgent.Unpack;

/// <summary>
/// A directory that entries are written into by directory fd, never by path string: every parent is opened with
/// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so a symlink planted by an earlier entry can never redirect a
/// write, and the final component is created with *at calls that do not follow it.
/// </summary>
internal sealed class RootedDirectory : IDisposable
{
    private const ulong DirectoryFlags = Libc.OPath | Libc.ODirectory | Libc.OCloExec;
    private const ulong Confined = Libc.ResolveBeneath | Libc.ResolveNoSymlinks | Libc.ResolveNoMagicLinks;

    private readonly int rootFd;
    private string? cachedKey;
    private int cachedFd = -1;

    public RootedDirectory(string path)
    {
        rootFd = Libc.OpenAt(Libc.AtFdCwd, path, (int)DirectoryFlags, 0);
        if (rootFd < 0) throw new IOException($"open {path}: {Libc.ErrorText(Libc.LastError)}");
    }

    public int RootFd => rootFd;

    /// <summary>The fd of the directory holding parts[..^1], creating missing directories (0755, root-owned).</summary>
    public int OpenParent(IReadOnlyList<string> parts, string entryName)
    {
        if (parts.Count <= 1) return rootFd;
        var key = string.Join('/', parts.Take(parts.Count - 1));
        if (key == cachedKey) return cachedFd;

        var fd = Libc.Openat2(rootFd, key, DirectoryFlags, Confined);
        if (fd < 0 && Libc.LastError == Libc.ENoEnt) fd = CreateParents(parts, entryName);
        else if (fd < 0) throw Refusal(Libc.LastError, entryName);

        if (cachedFd >= 0) Libc.Close(cachedFd);
        (cachedKey, cachedFd) = (key, fd);
        return fd;
    }

    /// <summary>
    /// The fd of the existing directory holding parts[..^1], never creating or following anything; -1 when it is
    /// missing or not a directory. The caller closes it unless it is <see cref="RootFd"/>.
    /// </summary>
    public int OpenExistingParent(IReadOnlyList<string> parts) =>
        parts.Count <= 1 ? rootFd : Libc.Openat2(rootFd, string.Join('/', parts.Take(parts.Count - 1)), DirectoryFlags, Confined);

    /// <summary>
    /// Forgets the cached parent: called after something was removed, which may have been that parent.
    /// The fd itself stays open until the next lookup replaces it, because the caller may still be using it.
    /// </summary>
    public void Invalidate() => cachedKey = null;

    /// <summary>A path through /proc that names the entry without following it: for the xattr calls, which have no *at form.</summary>
    public static string ProcPath(int parentFd, string name) => $"/proc/self/fd/{parentFd}/{name}";

    private int CreateParents(IReadOnlyList<string> parts, string entryName)
    {
        var current = rootFd;
        for (var i = 0; i < parts.Count - 1; i++)
        {
            if (Libc.MkdirAt(current, parts[i], 0b111_101_101) != 0 && Libc.LastError != Libc.EExist)
                throw new IOException($"mkdir {string.Join('/', parts.Take(i + 1))}: {Libc.ErrorText(Libc.LastError)}");
            var next = Libc.Openat2(current, parts[i], DirectoryFlags, Confined);
            var error = Libc.LastError;
            if (current != rootFd) Libc.Close(current);
            if (next < 0) throw Refusal(error, entryName);
            current = next;
        }
        return current;
    }

    private static Exception Refusal(int errno, string entryName) => errno switch
    {
        Libc.ELoop => new LayerRefusedException($"entry '{entryName}' would be written through a symlink"),
        Libc.EXDev => new LayerRefusedException($"entry '{entryName}' escapes the layer"),
        Libc.ENotDir => new LayerRefusedException($"entry '{entryName}' has a parent that is not a directory"),
        _ => new IOException($"resolve parent of '{entryName}': {Libc.ErrorText(errno)}"),
    };

    public void Dispose()
    {
        if (cachedFd >= 0) Libc.Close(cachedFd);
        Libc.Close(rootFd);
    }
}
