using System.Text;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.Isolation.Cgroups;

/// <summary>
/// Reads and writes cgroup control files with plain open/read/write calls: a container's cgroup is a dozen small
/// writes on `run`'s path, and each must report the kernel's own error (EINVAL for a bad value, EBUSY…).
/// </summary>
internal static unsafe partial class CgroupFiles
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteRaw(int fd, byte* buffer, nuint count);

    /// <summary>Writes <paramref name="value"/> to <paramref name="name"/> in the directory <paramref name="dirFd"/> (AT_FDCWD: a path).</summary>
    public static int TryWrite(int dirFd, string name, string value)
    {
        var fd = OpenAt(dirFd, name, OWrOnly | OCloExec, 0);
        if (fd < 0) return -LastError;
        try
        {
            var bytes = Encoding.ASCII.GetBytes(value);
            fixed (byte* p = bytes)
                return WriteRaw(fd, p, (nuint)bytes.Length) == bytes.Length ? 0 : -LastError;
        }
        finally
        {
            Close(fd);
        }
    }

    public static void Write(string directory, string name, string value, string what)
    {
        var result = TryWrite(AtFdCwd, Path.Join(directory, name), value);
        if (result < 0) throw new ContainerSetupException($"{what}: cannot write '{value}' to {Path.Join(directory, name)}: {ErrorText(-result)}");
    }

    /// <summary>The value of <c>KEY N</c> in a flat-keyed file (memory.events, memory.oom_control); 0 when absent.</summary>
    public static long ReadKey(string path, string key)
    {
        var fd = OpenAt(AtFdCwd, path, ORdOnly | OCloExec, 0);
        if (fd < 0) return 0;
        try
        {
            var buffer = stackalloc byte[1024];
            var length = (int)Read(fd, buffer, 1024);
            if (length <= 0) return 0;
            foreach (var line in Encoding.ASCII.GetString(buffer, length).Split('\n'))
                if (line.StartsWith(key + " ", StringComparison.Ordinal) && long.TryParse(line[(key.Length + 1)..], out var n)) return n;
            return 0;
        }
        finally
        {
            Close(fd);
        }
    }

    public static bool Exists(string path) => OpenAt(AtFdCwd, path, OPath | OCloExec, 0) is var fd and >= 0 && Close(fd) == 0;
}
