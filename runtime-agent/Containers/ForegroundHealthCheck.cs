using RuntimeAgent.Run;
using RuntimeAgent.Store;

namespace RuntimeAgent.Containers;

/// <summary>
/// The health check of a foreground run (the image's Healthcheck or <c>--health-*</c> without <c>-d</c>), as podman runs
/// it: the foreground agent plays the monitor's part. Once the container's process has started, and only when a check is
/// configured, a thread records the container (state.json and spec.json in its directory, the agent as its monitor), so
/// <c>ps</c>, <c>inspect</c>, <c>exec</c> and <c>stop</c> from another terminal see it with its health, then runs the
/// check through the monitor's <see cref="HealthChecker"/> (the <c>exec</c> path and isolation profile). When the run
/// ends the record goes with the directory, or says exited with the exit code under <c>--keep</c>. Nothing here runs
/// before the container's process: a run without a check pays one null test.
/// </summary>
internal sealed class ForegroundHealthCheck(ContainerStore store, string id)
{
    private readonly ContainerStore _store = store;
    private readonly string _id = id;
    private HealthChecker? _checker;
    private volatile bool _recorded;

    /// <summary>Starts the check of the run whose PID 1 is <paramref name="pid"/>; null when it has none.</summary>
    public static ForegroundHealthCheck? Start(StoreLayout layout, ResolvedImage image, RunRequest request, ContainerSpec spec, int pid)
    {
        var config = (request.Health ?? HealthOptions.None).Resolve(image.Config.Healthcheck); // flags were checked before the pull
        if (config is null) return null;
        var store = new ContainerStore(layout);
        var check = new ForegroundHealthCheck(store, spec.Id);
        check._checker = HealthChecker.Start(store, spec.Id, spec, config, () => check.Record(image, request, spec, config, pid));
        return check;
    }

    /// <summary>On the check's thread: the record a detached run's CLI and monitor would have written, already running.</summary>
    private bool Record(ResolvedImage image, RunRequest request, ContainerSpec spec, global::Registry.Oci.HealthConfig config, int pid)
    {
        try
        {
            var self = ProcessIdentity.Self();
            spec.Save(_store.SpecPath(_id));
            _store.Create(new ContainerState
            {
                Id = _id,
                Name = _id,
                Image = request.Reference,
                ImageDigest = image.Record.ManifestDigest,
                Command = spec.Args,
                Created = DateTimeOffset.UtcNow,
                Status = ContainerStatus.Running,
                Pid = pid,
                PidStartTime = ProcessIdentity.Of(pid)?.StartTime ?? 0,
                MonitorPid = self.Pid,
                MonitorStartTime = self.StartTime,
                StartedAt = DateTimeOffset.UtcNow,
                StopSignal = Signals.StopSignalOf(image.Config.StopSignal),
                StopTimeoutSeconds = (int)request.StopTimeout.TotalSeconds,
                Hostname = spec.Hostname,
                Network = request.HostNetwork ? "host" : "private",
                Healthcheck = config,
                HealthOnFailure = (request.Health ?? HealthOptions.None).OnFailure,
                Health = new HealthState(),
            });
            _recorded = true;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ContainerStateException or InvalidOperationException)
        {
            Console.Error.WriteLine($"runtime-agent: health check not started: {e.Message}");
            return false;
        }
    }

    /// <summary>Stops the check; the record says how the run ended if the directory is kept, else it is removed first.</summary>
    public void End(int? exitCode, bool keep)
    {
        _checker?.Dispose(); // joins the thread: the record is complete (or was never made) from here on
        if (!_recorded) return;
        try
        {
            if (keep)
                _store.Update(_id, s => (s.Status, s.ExitCode, s.FinishedAt) = (ContainerStatus.Exited, exitCode ?? 125, DateTimeOffset.UtcNow));
            else
            {
                File.Delete(_store.StatePath(_id)); // state.json first: a half-removed container is never listed
                File.Delete(_store.SpecPath(_id));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // rm -f removed it from another terminal meanwhile
        }
    }
}
