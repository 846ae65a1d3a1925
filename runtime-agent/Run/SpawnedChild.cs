using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// Finds, from another thread, the process a thread is creating with posix_spawn while that thread is still blocked in
/// it (glibc's posix_spawn is a vfork: the caller waits until the child execs). Used while the child is held at a
/// <see cref="StartGate"/>, to act on it (cgroup, /proc) before it runs anything of the image.
/// </summary>
internal static unsafe class SpawnedChild
{
    /// <summary>
    /// The spawning thread's only child, once it has reached <paramref name="gate"/>; 0 when
    /// <paramref name="spawnReturned"/> says posix_spawn returned first (it failed before creating a process).
    /// </summary>
    public static int Find(int hostProcFd, int spawningThreadId, StartGate gate, Func<bool> spawnReturned, TimeSpan timeout)
    {
        if (!gate.WaitForArrival(timeout)) throw new ContainerSetupException("the container's process did not appear");
        var text = ReadSmallFile(hostProcFd, $"{Environment.ProcessId}/task/{spawningThreadId}/children").Trim();
        if (text.Length > 0) return int.Parse(text.Split(' ')[0]);
        return spawnReturned() ? 0 : throw new ContainerSetupException("the container's process did not appear");
    }

    private static string ReadSmallFile(int dirFd, string path)
    {
        var fd = ContainerSetupException.Check(OpenAt(dirFd, path, ORdOnly | OCloExec, 0), $"open /proc/{path}");
        try
        {
            var buffer = stackalloc byte[256];
            var length = (int)Read(fd, buffer, 256);
            return length <= 0 ? "" : System.Text.Encoding.ASCII.GetString(buffer, length);
        }
        finally
        {
            Close(fd);
        }
    }
}
