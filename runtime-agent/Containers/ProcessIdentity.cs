using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// A process named by pid and start time (field 22 of /proc/PID/stat, clock ticks since boot), so a pid the
/// kernel reused for another process — after a monitor died or the host rebooted — is never mistaken for
/// the container's. Signals go through a pidfd opened and then checked, so they cannot hit a reused pid.
/// </summary>
public readonly record struct ProcessIdentity(int Pid, ulong StartTime)
{
    public static ProcessIdentity? Of(int pid)
    {
        if (pid <= 0) return null;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // comm (field 2) may hold spaces and parentheses: the fields after it start past the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields[0] is "Z" or "X") return null; // exited, only waiting to be reaped
        return new ProcessIdentity(pid, ulong.Parse(fields[19]));
    }

    public static ProcessIdentity Self() => Of(Environment.ProcessId) ?? throw new InvalidOperationException("cannot read /proc/self/stat");

    public bool IsAlive => Pid > 0 && Of(Pid) is { } now && now.StartTime == StartTime;

    /// <summary>Sends <paramref name="signal"/>; false when the process is already gone.</summary>
    public bool Signal(int signal)
    {
        var fd = OpenVerified();
        if (fd < 0) return false;
        try
        {
            return PidfdSendSignal(fd, signal) == 0;
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>Waits until the process exits; true if it did within <paramref name="timeout"/>.</summary>
    public unsafe bool WaitForExit(TimeSpan timeout)
    {
        var fd = OpenVerified();
        if (fd < 0) return true;
        try
        {
            var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (true)
            {
                var poll = new PollFd { Fd = fd, Events = PollIn };
                var left = (int)Math.Clamp(deadline - Environment.TickCount64, 0, int.MaxValue);
                var ready = Poll(&poll, 1, left);
                if (ready > 0) return true;
                if (ready == 0) return false;
                if (LastError != EIntr) return !IsAlive;
            }
        }
        finally
        {
            Close(fd);
        }
    }

    private int OpenVerified()
    {
        var fd = PidfdOpen(Pid);
        if (fd < 0) return -1;
        if (IsAlive) return fd; // checked after opening: the pidfd now names this very process
        Close(fd);
        return -1;
    }
}
