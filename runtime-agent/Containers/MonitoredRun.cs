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
    private readonly Thread[] pumps;

    public int Pid { get; }

    private MonitoredRun(int pid, Thread[] pumps) => (Pid, this.pumps) = (pid, pumps);

    public static MonitoredRun Start(ContainerSpec spec, string agentPath, ContainerLogWriter log)
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
            pid = new NamespaceSetup(spec, agentPath, newProcessGroup: true).Start();
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
        return new MonitoredRun(pid, [Pump(log, stdout, "stdout"), Pump(log, stderr, "stderr")]);
    }

    /// <summary>Waits for the container's PID 1 and for its output to be logged; returns its exit code.</summary>
    public int Wait()
    {
        var code = ProcessStart.Wait(Pid);
        // Every process of the container died with its PID 1 (PID namespace), so the pipes end now; a bound
        // keeps a stuck read from holding the exit status back.
        foreach (var pump in pumps) pump.Join(TimeSpan.FromSeconds(5));
        return code;
    }

    private static Thread Pump(ContainerLogWriter log, int fd, string stream)
    {
        var thread = new Thread(() =>
        {
            try
            {
                log.Pump(fd, stream);
            }
            finally
            {
                Close(fd);
            }
        }) { IsBackground = true, Name = $"log-{stream}" };
        thread.Start();
        return thread;
    }
}
