using System.Text.RegularExpressions;
using Registry.Tests.Conformance;

namespace Registry.Tests.Build;

/// <summary>
/// The host's C toolchain, cut down to the files one static compile really uses, for a compiler stage built FROM
/// scratch (no image download): gcc compiles a probe program under strace, and every file it opened or executed
/// (plus the dynamic loader, which the kernel opens) is copied into the context at its own path. About 56 MB instead
/// of the whole gcc, binutils and libc6-dev install, so buildah (vfs) can build the same recipe in reasonable time.
/// </summary>
public static partial class HostToolchain
{
    private const string Probe = "#include <stdio.h>\nint main(void) { puts(\"probe\"); return 0; }\n";

    /// <summary>Copies the files under <paramref name="destination"/> (e.g. CONTEXT/toolchain), each at its host path.</summary>
    public static async Task CopyAsync(string destination)
    {
        var scratch = Directory.CreateTempSubdirectory("toolchain-probe-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(scratch, "probe.c"), Probe);
            var trace = Path.Combine(scratch, "trace");
            await ExternalTool.RunAsync("strace", ["-f", "-qq", "-e", "trace=openat,execve", "-o", trace,
                                                   "gcc", "-static", "-O2", "-o", Path.Combine(scratch, "probe"), Path.Combine(scratch, "probe.c")]);
            var used = File.ReadLines(trace).Where(l => !l.Contains("= -1 ", StringComparison.Ordinal))
                .Select(l => OpenedPath().Match(l)).Where(m => m.Success).Select(m => Path.GetFullPath(m.Groups[1].Value))
                .Append("/lib64/ld-linux-x86-64.so.2")
                .Where(p => !p.StartsWith(scratch, StringComparison.Ordinal) && !p.StartsWith("/proc/", StringComparison.Ordinal)
                            && !p.StartsWith("/dev/", StringComparison.Ordinal) && File.Exists(p))
                .Distinct(StringComparer.Ordinal).ToList();
            Assert.Contains(used, p => p.EndsWith("/cc1", StringComparison.Ordinal));
            foreach (var path in used)
            {
                var target = Path.Combine(destination, path.TrimStart('/'));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(path, target, overwrite: true); // follows symlinks: the image gets the files themselves
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    // strace lines such as `123 openat(AT_FDCWD, "/usr/include/stdio.h", O_RDONLY) = 4` or `123 execve("/usr/bin/as", [...`.
    [GeneratedRegex("(?:openat\\(AT_FDCWD, |execve\\()\"(/[^\"]+)\",")]
    private static partial Regex OpenedPath();
}
