using RuntimeAgent.Run;
using RuntimeAgent.Store;

namespace RuntimeAgent.Containers;

/// <summary>What <c>run -d</c> adds to a run: a name, a restart policy, the log cap.</summary>
public sealed record DetachOptions(string? Name, RestartPolicy Restart, long LogMaxBytes, IReadOnlyList<PortMapping> Ports, string Network)
{
    /// <summary>--health-* flags, over the image's Healthcheck.</summary>
    public HealthOptions Health { get; init; } = HealthOptions.None;
}

/// <summary>
/// <c>run -d</c>: records the container (state.json, spec.json in containers/ID), starts its monitor and returns
/// the id once the container runs. A container that could not start leaves nothing behind.
/// </summary>
public sealed class DetachedRunner(StoreLayout layout)
{
    /// <summary>
    /// Records the container and hands it to <paramref name="monitor"/>, spawned beforehand; without one, this process
    /// (forked by detach-entry.c) starts the container and becomes its monitor (<see cref="ForkedMonitor"/>).
    /// </summary>
    internal string Start(ResolvedImage image, RunRequest request, DetachOptions options, string reference, MonitorLauncher? monitor)
    {
        var store = new ContainerStore(layout);
        var id = ContainerId.New();
        var hostname = request.Hostname ?? id;
        var process = ContainerProcess.Build(image.Config, request.Overrides, hostname, Environment.GetEnvironmentVariable);
        var dir = store.Directory(id);
        var security = request.Security.Resolve(layout.SeccompDirectory);
        var healthcheck = options.Health.Resolve(image.Config.Healthcheck);
        Directory.CreateDirectory(layout.ContainersDirectory);
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // One cgroup for the container's whole life (every restart joins it), removed by rm; none with --cgroups=disabled.
        var cgroup = request.Limits is null ? null : Run.Isolation.Cgroups.ContainerCgroup.Create(id, request.Limits);
        try
        {
            // The upper dir outlives each run (restart, start), so the overlay must not be volatile.
            // A forked monitor's main thread makes the directories and /etc files while the setup thread unshares.
            var spec = ContainerRunner.CreateSpec(image, request with { Keep = true }, process, id, dir, hostname, hostFilesLater: monitor is null)
                with { Security = security, CgroupDirectories = cgroup?.Directories ?? [] };
            if (request.UserNamespace == Run.UserNamespaces.UserNamespaceMode.Auto)
            {
                // Held for the container's whole life (every restart runs in it), given back by rm.
                spec = spec with { UserNamespace = Run.UserNamespaces.UserNamespaceAllocation.Take(layout, id) };
                Run.UserNamespaces.UserNamespaceAllocation.Own(spec, spec.UserNamespace);
            }
            var self = monitor is null ? ProcessIdentity.Self() : (ProcessIdentity?)null;
            var state = new ContainerState
            {
                Id = id,
                Name = options.Name ?? id,
                Image = reference,
                ImageDigest = image.Record.ManifestDigest,
                Command = process.Args,
                Created = DateTimeOffset.UtcNow,
                RestartPolicy = options.Restart.ToString(),
                StopSignal = Signals.StopSignalOf(image.Config.StopSignal),
                StopTimeoutSeconds = (int)request.StopTimeout.TotalSeconds,
                Hostname = hostname,
                Network = options.Network,
                Ports = options.Ports,
                LogMaxBytes = options.LogMaxBytes,
                Healthcheck = healthcheck,
                HealthOnFailure = options.Health.OnFailure,
                MonitorPid = (self ?? monitor!.Monitor)?.Pid ?? 0,
                MonitorStartTime = (self ?? monitor!.Monitor)?.StartTime ?? 0,
            };
            void Record()
            {
                store.Create(state);
                Diagnostics.PhaseTrace.Mark("recorded");
            }
            if (monitor is null)
            {
                // spec.json is written while the container starts, state.json once it runs (saying so).
                ForkedMonitor.Start(layout, id, state, spec, () =>
                {
                    spec.HostFiles?.Make();
                    spec.Save(store.SpecPath(id));
                }, Record);
                return id;
            }
            spec.Save(store.SpecPath(id));
            Record();
            monitor.Hand(id);
            return id;
        }
        catch
        {
            cgroup?.Remove();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException) { }
            throw;
        }
    }
}
