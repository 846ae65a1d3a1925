using System.Runtime.InteropServices;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// <c>--init</c>: init stays PID 1, spawns the command as PID 2, forwards signals to it and reaps every
/// orphan the namespace hands to PID 1, so zombies never pile up. Returns when the command exits; the kernel
/// then kills whatever is left in the PID namespace. With a terminal (<c>-t --init</c>) the command leads its own
/// session on the pty slave: ^C and window-size changes reach its foreground job through the pty itself, and
/// init, outside that session, only forwards the signals sent to the container.
/// </summary>
internal static unsafe class Reaper
{
    /// <summary>Signals a user sends to stop or poke a process; the rest stay with PID 1's defaults.</summary>
    public static readonly int[] ForwardedSignals = [1 /* HUP */, 2 /* INT */, 3 /* QUIT */, 10 /* USR1 */, 12 /* USR2 */, 15 /* TERM */, 28 /* WINCH */];

    public static int Run(string path, IReadOnlyList<string> args, IReadOnlyList<string> env, string? terminal = null)
    {
        // Handlers first: PID 1 with no handler drops a signal even from the host, and the command may be
        // signalled as soon as it runs (a test sends SIGINT the moment it prints). Until its pid is known,
        // signals wait in a queue (kill(0, …) would hit init's own group).
        var child = 0;
        var early = new Queue<int>();
        var registrations = ForwardedSignals
            .Select(signal => PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true;
                lock (early)
                    if (child == 0) early.Enqueue(signal);
                    else Kill(child, signal);
            }))
            .ToList();
        try
        {
            var started = ProcessStart.Spawn(path, args, env, terminal: terminal);
            lock (early)
            {
                child = started;
                while (early.TryDequeue(out var signal)) Kill(child, signal);
            }
            while (true)
            {
                int status;
                var pid = Waitpid(-1, &status, 0);
                if (pid == child) return ProcessStart.ExitCodeOf(status);
                if (pid < 0 && LastError == EChild) return 125;
                if (pid < 0 && LastError != EIntr)
                    throw new ContainerSetupException($"waitpid: {ErrorText(LastError)}");
            }
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }
}
