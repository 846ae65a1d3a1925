using RuntimeAgent.Native;
namespace RuntimeAgent.Run;

/// <summary>
/// A failure while setting up a container; its message is shown to the user as is and the agent exits with
/// <see cref="ExitCode"/>: 125 for the runtime's own failures, 126 when the command cannot be run, 127 when
/// it does not exist (the codes Docker uses).
/// </summary>
public sealed class ContainerSetupException(string message, int exitCode = 125) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>Throws with the errno text when a libc call returned a negative value.</summary>
    public static int Check(int result, string what)
    {
        if (result < 0) throw new ContainerSetupException($"{what}: {Libc.ErrorText(Libc.LastError)}");
        return result;
    }
}

/// <summary>
/// The container's root directory on the host, opened once. Paths inside it are resolved with
/// openat2(RESOLVE_IN_ROOT), so an image's symlink (say /data → /etc) can never send a mount to the host.
/// Mount targets are then named as /proc/self/fd/N, which the kernel resolves to the opened directory.
/// </summary>
internal sealed class ContainerRoot : IDisposable
{
    private readonly int _rootFd;
    private readonly List<int> _opened = [];

    public ContainerRoot(string directory)
    {
        _rootFd = ContainerSetupException.Check(
            Libc.OpenAt(Libc.AtFdCwd, directory, Libc.OPath | Libc.ODirectory | Libc.OCloExec, 0), $"open {directory}");
    }

    /// <summary>Opens a path inside the root, creating missing parts as 0755 directories; returns a path usable as a mount target.</summary>
    public string Target(string containerPath) => FdPath(Resolve(containerPath, createLeafAsFile: false));

    /// <summary>Like <see cref="Target"/> but a missing last component is created as an empty file (for file binds).</summary>
    public string FileTarget(string containerPath) => FdPath(Resolve(containerPath, createLeafAsFile: true));

    /// <summary>An O_PATH descriptor of an existing directory inside the root, for the *at calls; owned by this object.</summary>
    public int DirectoryFd(string containerPath)
    {
        var fd = ContainerSetupException.Check(Open(containerPath.TrimStart('/')), $"open {containerPath} in the container");
        _opened.Add(fd);
        return fd;
    }

    /// <summary>An O_PATH descriptor of an existing path inside the root, owned by this object; -1 when it does not exist.</summary>
    public int TryOpen(string containerPath)
    {
        var fd = Open(containerPath.TrimStart('/'));
        if (fd >= 0) _opened.Add(fd);
        else if (Libc.LastError != Libc.ENoEnt) ContainerSetupException.Check(fd, $"open {containerPath} in the container");
        return fd;
    }

    /// <summary>An O_PATH descriptor of a directory inside the root (created if missing) that the caller owns and closes.</summary>
    public int OpenDirectory(string containerPath) =>
        ContainerSetupException.Check(Libc.OpenAt(Resolve(containerPath, createLeafAsFile: false), ".", Libc.OPath | Libc.ODirectory | Libc.OCloExec, 0),
            $"open {containerPath} in the container");

    private int Resolve(string containerPath, bool createLeafAsFile)
    {
        var parts = containerPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var fd = Open(".");
        for (var i = 0; i < parts.Length; i++)
        {
            var sofar = string.Join('/', parts[..(i + 1)]);
            var next = Open(sofar);
            if (next < 0 && Libc.LastError == Libc.ENoEnt)
            {
                // fd is the resolved parent, so creating relative to it stays inside the root.
                var leaf = i == parts.Length - 1;
                var created = leaf && createLeafAsFile
                    ? CreateEmptyFile(fd, parts[i])
                    : Libc.MkdirAt(fd, parts[i], 0x1ed /* 0755 */);
                if (created < 0 && Libc.LastError != Libc.EExist)
                    ContainerSetupException.Check(created, $"create {containerPath} in the container");
                next = Open(sofar);
            }
            ContainerSetupException.Check(next, $"open {containerPath} in the container");
            _opened.Add(next);
            fd = next;
        }
        return fd;
    }

    private static int CreateEmptyFile(int parentFd, string name)
    {
        var fd = Libc.OpenAt(parentFd, name, Libc.OCreat | Libc.OExcl | Libc.OCloExec | Libc.OWrOnly, 0x1a4 /* 0644 */);
        return fd < 0 ? fd : Libc.Close(fd);
    }

    private int Open(string relative)
    {
        var fd = Libc.Openat2(_rootFd, relative, Libc.OPath | Libc.OCloExec, Libc.ResolveInRoot | Libc.ResolveNoMagicLinks);
        if (relative == "." && fd >= 0) _opened.Add(fd);
        return fd;
    }

    private static string FdPath(int fd) => $"/proc/self/fd/{fd}";

    public void Dispose()
    {
        foreach (var fd in _opened) Libc.Close(fd);
        _opened.Clear();
        Libc.Close(_rootFd);
    }
}
