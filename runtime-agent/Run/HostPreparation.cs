using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// What the agent's own thread does for a direct launch while the setup thread builds the container (its namespaces
/// and root take several milliseconds): it registers the signal handlers and makes the container's cgroup, then hands
/// over the cgroup's directories, opened. The setup thread waits for that just before its spawn, so the container's
/// first process still exists only once the signals are handled and still joins its cgroup before it execs.
/// </summary>
internal sealed class HostPreparation
{
    private readonly ManualResetEventSlim _done = new(false, spinCount: 0); // no spin: the setup thread needs the CPUs
    private List<int>? _cgroupFds;
    private bool _taken;

    /// <summary>Called by the agent's thread: the handlers are registered and the cgroup (maybe none) exists.</summary>
    public void Ready(IReadOnlyList<string> cgroupDirectories)
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
        _done.Set();
    }

    /// <summary>Called by the agent's thread when it failed: the launch stops before it spawns anything.</summary>
    public void Abandon() => _done.Set();

    /// <summary>Called by the setup thread before the spawn; returns the cgroup's directories, opened (the caller owns them).</summary>
    public IReadOnlyList<int> Wait()
    {
        _done.Wait();
        _taken = true;
        return _cgroupFds ?? throw new ContainerSetupException("the container's start was abandoned");
    }

    /// <summary>Closes the cgroup's descriptors if the launch ended before it took them.</summary>
    public void CloseUntaken()
    {
        if (!_taken) _cgroupFds?.ForEach(fd => Close(fd));
    }
}
