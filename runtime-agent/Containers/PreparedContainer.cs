using RuntimeAgent.Run;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// <c>run -d</c>'s share of the container's first run: a thread of the CLI builds the namespaces and the root (overlay,
/// /dev, /sys, volumes, hostname, loopback) and pivots into it, as a foreground run's setup thread does, while the CLI
/// records the container and the monitor's runtime starts; then it waits, keeping them, until the monitor has joined
/// them (<see cref="JoinedStart"/>) and reported. If it fails, the monitor is told nothing of it and builds the run
/// itself from spec.json, reporting the same failure as it would have.
/// </summary>
internal sealed class PreparedContainer : IDisposable
{
    private readonly ManualResetEventSlim _ready = new(false, spinCount: 0), _released = new(false, spinCount: 0);
    private readonly Thread _thread;
    private FirstStart? _start;

    public PreparedContainer(ContainerSpec spec)
    {
        _thread = new Thread(() =>
        {
            try
            {
                var command = new NamespaceSetup(spec, "", newProcessGroup: true).PrepareOnThisThread();
                _start = new FirstStart(Environment.ProcessId, Gettid(), command, spec.WorkingDir, spec.Security, spec.CgroupDirectories);
                Diagnostics.PhaseTrace.Mark("prepared");
            }
            catch (Exception)
            {
                // Nothing to report here: the monitor builds the run itself and reports why it cannot start.
            }
            finally
            {
                _ready.Set();
            }
            if (_start is not null) _released.Wait(); // the namespaces live while a task is in them: this one, until the monitor has joined
        }) { IsBackground = true, Name = "container-prepare" };
        _thread.Start();
    }

    /// <summary>Waits for the preparation; null if it failed.</summary>
    public FirstStart? Wait()
    {
        _ready.Wait();
        return _start;
    }

    /// <summary>Lets the thread go (call once the monitor has reported): the namespaces then live on in the container.</summary>
    public void Dispose()
    {
        _released.Set();
        _thread.Join();
        _ready.Dispose();
        _released.Dispose();
    }
}
