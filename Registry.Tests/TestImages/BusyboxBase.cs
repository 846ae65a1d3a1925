namespace Registry.Tests.TestImages;

/// <summary>
/// The base layer every test image starts from: Debian's static busybox as <c>/bin/busybox</c>, the
/// usual applets as absolute symlinks to it (as Alpine does), a minimal <c>/etc</c> and the standard
/// directories. Built from the host's file, so nothing is downloaded.
/// </summary>
public static class BusyboxBase
{
    public const string HostBusybox = "/bin/busybox";

    /// <summary>The applets linked into <c>/bin</c>; tests can rely on every one of these.</summary>
    public static readonly IReadOnlyList<string> Applets =
    [
        "sh", "ash", "echo", "cat", "ls", "hostname", "sleep", "true", "false", "id", "env", "pwd", "mkdir",
        "rm", "rmdir", "touch", "wc", "ps", "grep", "sed", "awk", "head", "tail", "printf", "test", "[", "stat",
        "readlink", "realpath", "cp", "mv", "ln", "chmod", "chown", "uname", "whoami", "date", "kill", "sort",
        "cut", "tr", "find", "du", "df", "xargs", "seq", "mount", "umount", "dd", "sha256sum", "md5sum",
        "mknod", "mkfifo", "nproc", "tee", "timeout", "basename", "dirname", "yes", "expr", "uniq", "hexdump",
    ];

    public const string Passwd =
        "root:x:0:0:root:/root:/bin/sh\n" +
        "app:x:1000:1000:app:/home/app:/bin/sh\n" +
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";

    public const string Group = "root:x:0:\napp:x:1000:\nnogroup:x:65534:\n";

    private const UnixFileMode Executable = TarItem.DefaultDirectoryMode;

    /// <summary>A fresh description of the base layer (callers may add to it or change its compression).</summary>
    public static LayerSpec Layer()
    {
        if (!File.Exists(HostBusybox))
            throw new InvalidOperationException($"{HostBusybox} is missing: apt-get install busybox-static (scripts/install-deps.sh)");
        var layer = new LayerSpec().Described("busybox base");
        foreach (var directory in new[] { "bin", "dev", "etc", "home", "proc", "sys", "usr", "usr/bin", "var" })
            layer.Directory(directory);
        layer.Directory("root", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        layer.Directory("tmp", TarItem.DefaultDirectoryMode | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit);
        layer.Directory("home/app", uid: 1000, gid: 1000);
        layer.HostFile("bin/busybox", HostBusybox, Executable);
        foreach (var applet in Applets) layer.Symlink($"bin/{applet}", "/bin/busybox");
        layer.File("etc/passwd", Passwd);
        layer.File("etc/group", Group);
        return layer;
    }
}
