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
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        if (!gate.WaitForArrival(timeout)) throw new ContainerSetupException("the container's process did not appear");
        // The child is there now, unless another process of the container opened the FIFO first (an exec's gate is
        // in a running container's /dev): then look again until the child shows or posix_spawn returns.
        var children = $"{Environment.ProcessId}/task/{spawningThreadId}/children";
        while (!spawnReturned())
        {
            var text = ReadSmallFile(hostProcFd, children).Trim();
            if (text.Length > 0) return int.Parse(text.Split(' ')[0]);
            if (Environment.TickCount64 > deadline) throw new ContainerSetupException("the container's process did not appear");
            Thread.Sleep(1);
        }
        return 0;
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
