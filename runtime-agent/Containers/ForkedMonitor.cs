using System.Text;
using RuntimeAgent.Run;
using RuntimeAgent.Store;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// <c>run -d</c> as root in the NativeAOT agent: this process was forked, before its runtime started, by a small C parent
/// (detach-entry.c) that the user waits for and that never starts .NET. So this process needs no monitor process: it
/// records the container, starts it as a foreground run would (the monitor's own code, <see cref="ContainerMonitor"/>,
/// on a thread of its own), tells the parent "ok ID" on the pipe named by <see cref="ReportVariable"/> (the parent prints
/// the id and exits), and stays as the container's monitor. The second runtime start, the hand-over of the prepared
/// namespaces and the monitor's reading of the records are gone from the path <c>run -d</c> waits for
/// (docs/decisions/011-detached-run-fork.md). An error before the report is printed by this process as usual, and the
/// parent exits with its exit code.
/// </summary>
internal static unsafe class ForkedMonitor
{
    public const string ReportVariable = "RUNTIME_AGENT_DETACH_REPORT";

    private static readonly int ReportFd = ReportDescriptor();
    private static LaunchThread? _monitor;
    private static int _exitCode;

    /// <summary>Whether this process is the child of detach-entry.c, with its report pipe still unused.</summary>
    public static bool Active => ReportFd >= 0 && _monitor is null;

    /// <summary>
    /// Points Console.Out and Console.Error at descriptors 1 and 2 themselves (<see cref="DescriptorWriter"/>): called
    /// before anything writes to them, so that no duplicate of the user's stdout or stderr is ever made in this process.
    /// </summary>
    public static void UseDescriptorWriters()
    {
        Console.SetOut(new DescriptorWriter(1));
        Console.SetError(new DescriptorWriter(2));
    }

    /// <summary>
    /// Starts the recorded container <paramref name="id"/> under this process as its monitor and returns once it runs
    /// (the parent has then printed the id and exited, and this process's stdio is /dev/null); throws
    /// <see cref="ContainerSetupException"/> with the reason when it could not start (stdio as it was, nothing reported).
    /// </summary>
    /// <param name="saveSpec">Writes spec.json: on this thread while the container's namespaces and root are built on others.</param>
    /// <param name="record">Writes state.json (a taken name fails here): once the container's process exists, with
    /// <paramref name="state"/> saying it runs; one write.</param>
    public static void Start(StoreLayout layout, string id, ContainerState state, ContainerSpec spec, Action saveSpec, Action record)
    {
        // Its own session, as a monitor process gets: the terminal's signals and hang-up no longer reach it or the
        // container (the parent passes on SIGINT and SIGTERM until it has exited).
        _ = Setsid();
        // Stdio on /dev/null, as a spawned monitor has it: what the container's launch does not replace (its first process
        // under --init with -t, a restart's) must not inherit the command's. An error is printed on the originals.
        var saved = new[] { Fcntl(0, FDupFdCloExec, 3), Fcntl(1, FDupFdCloExec, 3), Fcntl(2, FDupFdCloExec, 3) };
        var devNull = OpenAt(AtFdCwd, "/dev/null", ORdWr | OCloExec, 0);
        for (var fd = 0; fd < 3; fd++) Dup2(devNull, fd);
        Close(devNull);
        string? report = null;
        Exception? recordFailed = null;
        // Not disposed: the monitor's thread may still look at them after this returns (a restart waits for the records too).
        var reported = new ManualResetEventSlim(false, spinCount: 0);
        var recorded = new ManualResetEventSlim(false, spinCount: 0);
        var started = new ManualResetEventSlim(false, spinCount: 0);
        var lease = ContainerMonitor.Lease(layout);
        // A thread made with pthread_create: Thread.Start would spin in sched_yield on this thread until the new one runs.
        _monitor = LaunchThread.Start("monitor", () =>
        {
            var monitor = new ContainerMonitor(layout, id, Environment.ProcessPath ?? "/proc/self/exe")
            {
                Report = message =>
                {
                    if (message.StartsWith("ok", StringComparison.Ordinal)) Detach(id);
                    report = message;
                    reported.Set();
                },
                RecordFirstRun = (pid, identity, startedAt) =>
                {
                    (state.Status, state.Pid, state.PidStartTime, state.StartedAt) = (ContainerStatus.Running, pid, identity?.StartTime ?? 0, startedAt);
                    if (state.Healthcheck is not null) state.Health = new HealthState();
                    started.Set();
                    recorded.Wait();
                    if (recordFailed is not null) throw new ContainerSetupException($"record the container: {recordFailed.Message}");
                },
            };
            _exitCode = monitor.Run(lease, state, spec);
        });
        try
        {
            saveSpec();
            // A start that fails reports before its process exists: then there is nothing to record.
            WaitHandle.WaitAny([started.WaitHandle, reported.WaitHandle]);
            if (started.IsSet) record();
        }
        catch (Exception e)
        {
            recordFailed = e;
        }
        finally
        {
            recorded.Set();
        }
        reported.Wait();
        if (report!.StartsWith("ok", StringComparison.Ordinal))
        {
            foreach (var fd in saved) Close(fd);
            return;
        }
        _monitor.Join(); // it has recorded the failure and ends: the caller removes the container's directory
        _monitor = null;
        for (var fd = 0; fd < 3; fd++)
        {
            Dup2(saved[fd], fd);
            Close(saved[fd]);
        }
        if (recordFailed is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(recordFailed); // a taken name, in its own words
        var parts = report.Split(' ', 2);
        throw new ContainerSetupException(parts.Length == 2 ? parts[1] : report, int.TryParse(parts[0], out var code) ? code : 125);
    }

    /// <summary>
    /// After the action returned: a process that became a monitor goes on until its container has exited for good (its
    /// exit code is then of no interest to anyone); any other returns <paramref name="exitCode"/>.
    /// </summary>
    public static int WaitIfMonitoring(int exitCode)
    {
        if (_monitor is null) return exitCode;
        _monitor.Join();
        return _exitCode;
    }

    /// <summary>
    /// Leaves the user's stdio (a reader of the CLI's output sees its end when the parent exits, not when the container
    /// does) and tells the parent the id.
    /// </summary>
    private static void Detach(string id)
    {
        var devNull = OpenAt(AtFdCwd, "/dev/null", ORdWr | OCloExec, 0);
        for (var fd = 0; fd < 3; fd++) Dup2(devNull, fd);
        Close(devNull);
        var bytes = Encoding.ASCII.GetBytes($"ok {id}\n");
        fixed (byte* p = bytes) Write(ReportFd, p, (nuint)bytes.Length);
        Close(ReportFd);
        Diagnostics.PhaseTrace.Mark("forked-reported");
    }

    /// <summary>The pipe detach-entry.c made (close-on-exec, so no spawned process holds it); -1 outside its child.</summary>
    private static int ReportDescriptor() =>
        Environment.GetEnvironmentVariable(ReportVariable) is { } text && int.TryParse(text, out var fd) && fd > 2 && Fcntl(fd, 1 /* F_GETFD */, 0) >= 0
            ? fd
            : -1;
}
