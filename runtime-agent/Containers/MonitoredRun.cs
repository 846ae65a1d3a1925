using RuntimeAgent.Run;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// One run of a detached container under its monitor: the container's stdout and stderr are pipes whose
/// read ends the monitor pumps into the log; stdin is /dev/null. The write ends are put on the monitor's own
/// descriptors 1 and 2 just for the launch (the container inherits them from there, through the same
/// <see cref="NamespaceSetup"/> a foreground run uses) and then replaced by /dev/null again, so the pipes reach
/// EOF when the container's last process exits.
/// </summary>
internal sealed unsafe class MonitoredRun
{
    private readonly Func<ContainerLogWriter, Thread[]> startPumps;
    private readonly Action? ended;
    private Thread[]? pumps;

    public int Pid { get; }

    private MonitoredRun(int pid, Func<ContainerLogWriter, Thread[]> startPumps, Action? ended = null) => (Pid, this.startPumps, this.ended) = (pid, startPumps, ended);

    /// <param name="childFound">Told the container's first process as soon as it exists (<see cref="NamespaceSetup.ChildFound"/>).</param>
    /// <param name="logPath">The container's log, which <c>attach</c>'s replay reads for what the terminal's memory lacks.</param>
    public static MonitoredRun Start(ContainerSpec spec, string agentPath, string attachSocket, string logPath, Action<int>? childFound = null) =>
        spec.Tty ? StartWithTerminal(spec, agentPath, attachSocket, logPath, childFound)
            : WithPipes(() => new NamespaceSetup(spec, agentPath, newProcessGroup: true) { ChildFound = childFound }.Start());

    /// <summary>Launches with the pipes on descriptors 1 and 2.</summary>
    private static MonitoredRun WithPipes(Func<int> launch)
    {
        var fds = stackalloc int[4];
        if (Pipe2(fds, OCloExec) != 0 || Pipe2(fds + 2, OCloExec) != 0) throw new ContainerSetupException($"pipe: {ErrorText(LastError)}");
        var devNull = OpenAt(AtFdCwd, "/dev/null", ORdWr | OCloExec, 0);
        int pid;
        try
        {
            Dup2(devNull, 0);
            Dup2(fds[1], 1);
            Dup2(fds[3], 2);
            pid = launch();
        }
        catch
        {
            Close(fds[0]);
            Close(fds[2]);
            throw;
        }
        finally
        {
            Dup2(devNull, 1);
            Dup2(devNull, 2);
            Close(devNull);
            Close(fds[1]);
            Close(fds[3]);
        }
        var (stdout, stderr) = (fds[0], fds[2]);
        return new MonitoredRun(pid, log => [Pump(log, stdout, "stdout"), Pump(log, stderr, "stderr")]);
    }

    /// <summary>
    /// <c>run -dt</c>: the container's stdio is a pty (<see cref="NamespaceSetup"/> opens it in the container's devpts);
    /// the monitor keeps the master, logs what the terminal prints (as stdout) and serves <c>attach</c> on it.
    /// </summary>
    private static MonitoredRun StartWithTerminal(ContainerSpec spec, string agentPath, string attachSocket, string logPath, Action<int>? childFound)
    {
        var setup = new NamespaceSetup(spec, agentPath, newProcessGroup: true) { ChildFound = childFound };
        var pid = setup.Start();
        var master = setup.TerminalFd;
        Attach.AttachServer server;
        try
        {
            server = new Attach.AttachServer(attachSocket, master, spec.TerminalInput, logPath);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
        {
            Kill(pid, SigKill);
            ProcessStart.Wait(pid);
            Close(master);
            throw new ContainerSetupException($"listen on {attachSocket}: {e.Message}");
        }
        // The master reads EIO once the container's last process holding the terminal is gone.
        return new MonitoredRun(pid, log => [Pump(log, master, "stdout", server.Broadcast, close: false)], () =>
        {
            server.Dispose();
            Close(master);
        });
    }

    /// <summary>
    /// Starts logging the container's output into <paramref name="log"/>. The monitor calls it once it has reported the
    /// container running: until then the output waits in the pipes (or the terminal), and the two thread starts stay off
    /// the path <c>run -d</c> waits for.
    /// </summary>
    public void StartLogging(ContainerLogWriter log) => pumps ??= startPumps(log);

    /// <summary>Waits for the container's PID 1 and for its output to be logged (<see cref="StartLogging"/> first); returns its exit code.</summary>
    public int Wait()
    {
        var logging = pumps ?? throw new InvalidOperationException("StartLogging must come before Wait");
        var code = ProcessStart.Wait(Pid);
        // Every process of the container died with its PID 1 (PID namespace), so the pipes end now; a bound
        // keeps a stuck read from holding the exit status back.
        foreach (var pump in logging) pump.Join(TimeSpan.FromSeconds(5));
        ended?.Invoke();
        return code;
    }

    private static Thread Pump(ContainerLogWriter log, int fd, string stream, OutputTee? tee = null, bool close = true)
    {
        var thread = new Thread(() =>
        {
            try
            {
                log.Pump(fd, stream, tee);
            }
            finally
            {
                if (close) Close(fd);
            }
        }) { IsBackground = true, Name = $"log-{stream}" };
        thread.Start();
        return thread;
    }
}
