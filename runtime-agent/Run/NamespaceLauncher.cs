using System.Runtime.InteropServices;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// Starts init in new namespaces and waits for it. A .NET process is multi-threaded, so it cannot unshare
/// its own mount or PID namespace; util-linux unshare(1) does it and execs this agent again as
/// <c>init SPEC</c> (by absolute path: /proc/self/exe would name unshare). posix_spawn runs no managed code
/// in the child. unshare blocks SIGINT and SIGTERM, so the agent forwards them to the container's PID 1
/// itself, and kills the container if it has not stopped within the stop timeout.
/// </summary>
internal sealed class NamespaceLauncher(string agentPath, TimeSpan stopTimeout)
{
    private static readonly string[] UnshareLocations = ["/usr/bin/unshare", "/bin/unshare"];

    public int Run(string specPath, bool privateNetwork)
    {
        var unshare = UnshareLocations.FirstOrDefault(File.Exists)
            ?? throw new ContainerSetupException("util-linux unshare is not installed (apt-get install util-linux)");
        List<string> args = ["unshare", "--mount", "--uts", "--ipc", "--pid", "--fork", "--kill-child", "--propagation", "private"];
        if (privateNetwork) args.Add("--net");
        args.AddRange(["--", agentPath, "init", specPath]);

        // On a terminal the container shares our process group, so the terminal already sends it ^C and ^\;
        // otherwise it gets its own group and we forward every signal exactly once.
        var terminalDelivers = Isatty(0) == 1 && Tcgetpgrp(0) == Getpgrp();
        var unsharePid = ProcessStart.Spawn(unshare, args, [], newProcessGroup: !terminalDelivers);
        using var stopper = new Timer(_ => Kill(unsharePid, SigKill)); // unshare's --kill-child takes the container along
        var registrations = Reaper.ForwardedSignals
            .Select(signal => PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true; // the agent outlives the container, to clean up after it
                if (!(terminalDelivers && signal is 2 or 3)) Forward(unsharePid, signal);
                if (signal is 2 or 15) stopper.Change(stopTimeout, Timeout.InfiniteTimeSpan);
            }))
            .ToList();
        try
        {
            return ProcessStart.Wait(unsharePid);
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    /// <summary>Sends a signal to the container's PID 1: the only child of unshare once it has forked.</summary>
    private static void Forward(int unsharePid, int signal)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            string[] children;
            try
            {
                children = File.ReadAllText($"/proc/{unsharePid}/task/{unsharePid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (IOException)
            {
                return; // unshare has already exited
            }
            if (children.Length > 0 && int.TryParse(children[0], out var init))
            {
                Kill(init, signal);
                return;
            }
            Thread.Sleep(5); // signalled before unshare forked: wait a moment for its child
        }
    }
}
