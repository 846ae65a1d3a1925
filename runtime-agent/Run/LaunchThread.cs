using System.Runtime.InteropServices;
using System.Text;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// A thread of a launch (the setup thread, the /proc thread; and a forked monitor's own thread, Containers/ForkedMonitor)
/// made with pthread_create, its body entered as a reverse
/// P/Invoke. <see cref="Thread.Start()"/> spins in sched_yield until the new thread runs: its creator (the setup thread,
/// whose work is the container's critical path) lost ≈ 2 ms a run to that on a loaded machine, and on two CPUs the spin
/// competes with the thread it waits for. Here the creator goes on at once; the thread attaches itself to the runtime on
/// its first managed call. <see cref="Join"/> waits for the body to end (not for the kernel's exit of the thread).
/// </summary>
internal sealed unsafe partial class LaunchThread
{
    private readonly Action _body;
    private readonly byte[] _name;
    private readonly ManualResetEventSlim _ended = new(false, spinCount: 0); // no spin: the other threads need the CPUs

    private LaunchThread(string name, Action body)
    {
        _body = body;
        _name = Encoding.UTF8.GetBytes((name.Length > 15 ? name[..15] : name) + "\0"); // the kernel keeps 15 bytes
    }

    /// <summary>Starts <paramref name="body"/> (which must catch its own exceptions) on a new thread named <paramref name="name"/>.</summary>
    public static LaunchThread Start(string name, Action body)
    {
        var thread = new LaunchThread(name, body);
        var handle = GCHandle.Alloc(thread);
        nuint id;
        var error = PthreadCreate(&id, null, &Entry, (void*)GCHandle.ToIntPtr(handle));
        if (error != 0)
        {
            handle.Free();
            throw new ContainerSetupException($"pthread_create: {ErrorText(error)}");
        }
        PthreadDetach(id);
        return thread;
    }

    /// <summary>Whether the body is still running.</summary>
    public bool IsAlive => !_ended.IsSet;

    /// <summary>Waits for the body to end.</summary>
    public void Join() => _ended.Wait();

    [UnmanagedCallersOnly]
    private static void* Entry(void* argument)
    {
        var handle = GCHandle.FromIntPtr((nint)argument);
        var thread = (LaunchThread)handle.Target!;
        handle.Free();
        try
        {
            fixed (byte* name = thread._name) Prctl(PrSetName, (ulong)name);
            thread._body();
        }
        catch
        {
            // The bodies report their own failures; nothing may unwind into pthread's frames.
        }
        finally
        {
            thread._ended.Set();
        }
        return null;
    }

    private const int PrSetName = 15;

    [LibraryImport("libc", EntryPoint = "pthread_create")]
    private static partial int PthreadCreate(nuint* thread, void* attributes, delegate* unmanaged<void*, void*> start, void* argument);

    [LibraryImport("libc", EntryPoint = "pthread_detach")]
    private static partial int PthreadDetach(nuint thread);
}
