using System.Text;
using Registry.Oci;
using RuntimeAgent.Run;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// The monitor's health check for one run of a container: on its own thread, every interval, runs the check inside
/// the container as <c>exec</c> does (its namespaces, root, cgroup, security profile, environment and user), kills it
/// at the timeout, and records the verdict in state.json (<see cref="HealthState"/>). Disposed when the run ends.
/// </summary>
internal sealed unsafe class HealthChecker : IDisposable
{
    private const int KeptOutputBytes = 4096; // as much as Docker keeps

    private readonly ContainerStore _store;
    private readonly string _id;
    private readonly ContainerSpec _spec;
    private readonly HealthConfig _config;
    private readonly Func<bool>? _recordFirst;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private volatile bool _restartRequested;

    private HealthChecker(ContainerStore store, string id, ContainerSpec spec, HealthConfig config, Func<bool>? recordFirst)
    {
        (_store, _id, _spec, _config, _recordFirst) = (store, id, spec, config, recordFirst);
        _thread = new Thread(Run) { IsBackground = true, Name = "health-check" };
        _thread.Start();
    }

    private TimeSpan Interval => Nanoseconds(_config.Interval) ?? HealthOptions.DefaultInterval;
    private TimeSpan Timeout => Nanoseconds(_config.Timeout) ?? HealthOptions.DefaultTimeout;
    private TimeSpan StartPeriod => Nanoseconds(_config.StartPeriod) ?? TimeSpan.Zero;
    private int Retries => _config.Retries ?? HealthOptions.DefaultRetries;

    /// <summary>
    /// <c>--health-on-failure restart</c> stopped this run: the monitor starts it again whatever the restart policy (a
    /// <c>stop</c>/<c>rm</c> meanwhile still wins). Read after <see cref="Dispose"/>, which joins the thread that sets it.
    /// </summary>
    public bool RestartRequested => _restartRequested;

    /// <summary>
    /// Starts checking a run that has just started (the monitor recorded its health as "starting" with the run); null
    /// when it has no check. <paramref name="recordFirst"/>, if any, runs first on the check's thread: a foreground run
    /// records its container there, off the path its start waits for (<see cref="ForegroundHealthCheck"/>).
    /// </summary>
    public static HealthChecker? Start(ContainerStore store, string id, ContainerSpec spec, HealthConfig? config, Func<bool>? recordFirst = null) =>
        config is null ? null : new HealthChecker(store, id, spec, config, recordFirst);

    private void Run()
    {
        var started = DateTimeOffset.UtcNow;
        if (_recordFirst?.Invoke() == false) return;
        try
        {
            while (!_stop.Token.WaitHandle.WaitOne(Interval))
            {
                var result = Probe();
                if (_stop.IsCancellationRequested) return; // the run ended while the check ran: its verdict is moot
                var inStartPeriod = result.Start - started < StartPeriod;
                var turnedUnhealthy = false;
                var state = _store.Update(_id, s =>
                {
                    var health = s.Health ??= new HealthState();
                    var before = health.Status;
                    health.Record(result, Retries, inStartPeriod);
                    turnedUnhealthy = before != HealthStatus.Unhealthy && health.Status == HealthStatus.Unhealthy;
                });
                if (turnedUnhealthy) ActOnFailure(state);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The record went away under the check (rm -f of a run whose process is still ending): nothing left to report to.
        }
    }

    /// <summary>
    /// --health-on-failure: kill (SIGKILL; the restart policy then decides, as after any exit), stop (as <c>stop</c>
    /// does: no restart, the stop signal, SIGKILL after the stop timeout) or restart (stopped the same way, then started
    /// again by the monitor: <see cref="RestartRequested"/>; detached runs only). Once per turn to unhealthy.
    /// </summary>
    private void ActOnFailure(ContainerState state)
    {
        switch (state.HealthOnFailure)
        {
            case "kill":
                state.Process.Signal(SigKill);
                return;
            case "stop":
                _store.Update(_id, s => s.StopRequested = true);
                break;
            case "restart":
                _restartRequested = true;
                break;
            default:
                return;
        }
        if (state.Process.Signal(state.StopSignal) && !state.Process.WaitForExit(TimeSpan.FromSeconds(state.StopTimeoutSeconds)))
            state.Process.Signal(SigKill);
    }

    /// <summary>Runs the check once: exit code 0 passes; -1 means it was killed at the timeout.</summary>
    private HealthResult Probe()
    {
        var start = DateTimeOffset.UtcNow;
        var args = _config.Test[0] == "CMD-SHELL" ? ["/bin/sh", "-c", _config.Test[1]] : _config.Test[1..];
        var fds = stackalloc int[2];
        if (Pipe2(fds, OCloExec) != 0) return new HealthResult(start, DateTimeOffset.UtcNow, -1, $"pipe: {ErrorText(LastError)}");
        var (reader, writer) = (fds[0], fds[1]);
        Fcntl(reader, FSetFl, ONonBlock);
        try
        {
            int pid;
            try
            {
                pid = new ContainerExec(_store.Load(_id), _spec).Start(new ExecRequest(args, [], null, null, false), newProcessGroup: true, writer);
            }
            catch (Exception e) when (e is ContainerSetupException or ContainerStateException)
            {
                return new HealthResult(start, DateTimeOffset.UtcNow, e is ContainerSetupException setup ? setup.ExitCode : 1, e.Message);
            }
            finally
            {
                Close(writer);
            }
            var output = new List<byte>();
            var exited = WaitCollecting(pid, reader, output, start + Timeout);
            if (!exited) Kill(-pid, SigKill); // its process group: a shell's children too
            var exitCode = ProcessStart.Wait(pid);
            Drain(reader, output);
            var text = Encoding.UTF8.GetString(output.ToArray());
            return exited
                ? new HealthResult(start, DateTimeOffset.UtcNow, exitCode, text)
                : new HealthResult(start, DateTimeOffset.UtcNow, -1, $"Health check exceeded timeout ({Timeout.TotalSeconds:0.###}s)");
        }
        finally
        {
            Close(reader);
        }
    }

    /// <summary>Reads the check's output while waiting for it to exit; false when the deadline came first.</summary>
    private static bool WaitCollecting(int pid, int reader, List<byte> output, DateTimeOffset deadline)
    {
        var pidfd = PidfdOpen(pid);
        if (pidfd < 0) return true; // cannot happen for our own unreaped child; waitpid below still waits
        try
        {
            var polls = stackalloc PollFd[2];
            polls[0] = new PollFd { Fd = pidfd, Events = PollIn };
            polls[1] = new PollFd { Fd = reader, Events = PollIn };
            while (true)
            {
                var remaining = (int)Math.Ceiling((deadline - DateTimeOffset.UtcNow).TotalMilliseconds);
                if (remaining <= 0) return false;
                polls[0].Revents = polls[1].Revents = 0;
                // Once the pipe has ended its fd is -1, which poll skips: only the pidfd is watched.
                if (Poll(polls, 2, remaining) < 0 && LastError != EIntr) return false;
                if (polls[0].Revents != 0) return true;
                if (polls[1].Revents != 0 && !Drain(reader, output)) polls[1].Fd = -1;
            }
        }
        finally
        {
            Close(pidfd);
        }
    }

    /// <summary>Reads what the pipe holds now, keeping the first bytes; false at end of file.</summary>
    private static bool Drain(int reader, List<byte> output)
    {
        var buffer = stackalloc byte[4096];
        while (true)
        {
            var read = (int)Read(reader, buffer, 4096);
            if (read == 0) return false;
            if (read < 0) return LastError is EAgain or EIntr;
            for (var i = 0; i < read && output.Count < KeptOutputBytes; i++) output.Add(buffer[i]);
        }
    }

    private static TimeSpan? Nanoseconds(long? value) => value is > 0 ? TimeSpan.FromTicks(value.Value / 100) : null;

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(Timeout + TimeSpan.FromSeconds(5)); // a check in progress is bounded by its timeout
    }
}
