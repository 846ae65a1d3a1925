using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// What the agent's own thread does for a direct launch while the setup thread builds the container (its namespaces
/// and root take several milliseconds): it registers the signal handlers, resolves the security profile (its seccomp
/// program found by the filter's key and read) and makes the container's cgroup, then hands over the lockdown and the
/// cgroup's directories, opened. The setup thread waits for that just before it drops to the lockdown and spawns, so the
/// container's first process still exists only once the signals are handled, gets the same profile, and still joins its
/// cgroup before it execs.
/// </summary>
internal sealed class HostPreparation
{
    private readonly ManualResetEventSlim _done = new(false, spinCount: 0); // no spin: the setup thread needs the CPUs
    private List<int>? _cgroupFds;
    private Isolation.ThreadLockdown? _lockdown;
    private bool _taken;

    /// <summary>Called by the agent's thread: the handlers are registered, the lockdown prepared and the cgroup (maybe none) exists.</summary>
    public void Ready(Isolation.ThreadLockdown lockdown, IReadOnlyList<string> cgroupDirectories)
    {
        var fds = new List<int>(cgroupDirectories.Count);
        try
        {
            foreach (var directory in cgroupDirectories)
                fds.Add(ContainerSetupException.Check(OpenAt(AtFdCwd, directory, OPath | ODirectory | OCloExec, 0), $"open the cgroup {directory}"));
        }
        catch
        {
            fds.ForEach(fd => Close(fd));
            throw;
        }
        _cgroupFds = fds;
        _lockdown = lockdown;
        _done.Set();
    }

    /// <summary>Called by the agent's thread when it failed: the launch stops before it spawns anything.</summary>
    public void Abandon() => _done.Set();

    /// <summary>
    /// Called by the setup thread before its lockdown and spawn; returns the lockdown to apply and the cgroup's directories,
    /// opened (the caller owns them).
    /// </summary>
    public (Isolation.ThreadLockdown Lockdown, IReadOnlyList<int> CgroupFds) Wait()
    {
        _done.Wait();
        _taken = true;
        return _cgroupFds is { } fds && _lockdown is { } lockdown ? (lockdown, fds)
            : throw new ContainerSetupException("the container's start was abandoned");
    }

    /// <summary>Closes the cgroup's descriptors if the launch ended before it took them.</summary>
    public void CloseUntaken()
    {
        if (!_taken) _cgroupFds?.ForEach(fd => Close(fd));
    }
}
