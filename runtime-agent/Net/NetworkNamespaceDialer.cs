using System.Collections.Concurrent;
using System.Net.Sockets;
using RuntimeAgent.Run;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Net;

/// <summary>
/// Creates sockets inside a container's network namespace from a process that lives outside it. A socket belongs
/// to the namespace of the thread that created it, so one dedicated thread joins the container's namespace
/// (setns on that thread only; the rest of the process stays on the host) and creates sockets on request;
/// they are then connected and used from any thread. Rootless tools publish ports the same way: no bridge, no
/// firewall rules, no address ranges.
/// </summary>
internal sealed class NetworkNamespaceDialer : IDisposable
{
    private readonly BlockingCollection<Action> work = new();
    private readonly Thread thread;

    public NetworkNamespaceDialer()
    {
        thread = new Thread(() =>
        {
            foreach (var item in work.GetConsumingEnumerable()) item();
        }) { IsBackground = true, Name = "netns-dialer" };
        thread.Start();
    }

    /// <summary>Moves the dialer into the network namespace of process <paramref name="pid"/> (again after each restart).</summary>
    public Task JoinAsync(int pid) => Run(() =>
    {
        var fd = OpenAt(AtFdCwd, $"/proc/{pid}/ns/net", ORdOnly | OCloExec, 0);
        ContainerSetupException.Check(fd, $"open the network namespace of {pid}");
        try
        {
            ContainerSetupException.Check(Setns(fd, CloneNewNet), "join the container's network namespace");
        }
        finally
        {
            Close(fd);
        }
        return true;
    });

    /// <summary>A socket in the container's namespace.</summary>
    public Task<Socket> CreateAsync(SocketType type, ProtocolType protocol) =>
        Run(() => new Socket(System.Net.Sockets.AddressFamily.InterNetwork, type, protocol));

    private Task<T> Run<T>(Func<T> action)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Add(() =>
        {
            try
            {
                done.SetResult(action());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    public void Dispose() => work.CompleteAdding();
}
