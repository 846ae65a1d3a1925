using RuntimeAgent.Run;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Snapshots;

/// <summary>
/// The root through fuse-overlayfs. The daemon runs in the host's mount namespace, in the foreground so its pid is
/// known, and the container's namespace gets a copy of its mount when it is created. It cannot live inside the
/// container's namespace: pivot_root moves the root of every process of that namespace, the daemon's included,
/// onto the FUSE mount itself, and its next lookup of a layer would wait on itself. Stopped (SIGTERM: it unmounts)
/// once the container has exited. If the agent is killed, the mount stays on the host under containers/ID/rootfs
/// until the daemon is stopped or the host reboots.
/// </summary>
internal sealed class FuseOverlayMount : IDisposable
{
    public const string Program = "fuse-overlayfs";
    private static readonly string[] SearchPath = ["/usr/bin", "/usr/local/bin", "/bin"];
    private int _pid;

    private FuseOverlayMount(int pid) => _pid = pid;

    public static FuseOverlayMount Mount(ContainerSpec spec)
    {
        var program = SearchPath.Select(d => Path.Join(d, Program)).FirstOrDefault(File.Exists)
            ?? throw new ContainerSetupException($"--snapshotter fuse-overlayfs needs the {Program} program (Debian package fuse-overlayfs)");
        if (!File.Exists("/dev/fuse")) throw new ContainerSetupException("--snapshotter fuse-overlayfs needs /dev/fuse (modprobe fuse)");
        // allow_other: the container's processes may run as any user, not only the one that mounted.
        var options = $"lowerdir={string.Join(':', spec.LowerDirs)},upperdir={spec.UpperDir},workdir={spec.WorkDir},allow_other";
        var pid = ProcessStart.Spawn(program, [program, "-f", "-o", options, spec.RootFs], ["PATH=/usr/bin:/bin"]);
        var mount = new FuseOverlayMount(pid);
        try
        {
            mount.WaitUntilMounted(spec.RootFs);
            return mount;
        }
        catch
        {
            mount.Dispose();
            throw;
        }
    }

    private unsafe void WaitUntilMounted(string rootFs)
    {
        var buffer = stackalloc byte[256];
        var deadline = Environment.TickCount64 + 10_000;
        while (true)
        {
            if (Statfs(rootFs, buffer) == 0 && *(long*)buffer == FuseSuperMagic) return;
            int status;
            if (Waitpid(_pid, &status, 1 /* WNOHANG */) == _pid)
            {
                _pid = 0;
                throw new ContainerSetupException($"{Program} exited ({ProcessStart.ExitCodeOf(status)}) before mounting the root");
            }
            if (Environment.TickCount64 > deadline) throw new ContainerSetupException($"{Program} did not mount the root within 10 s");
            Thread.Sleep(1);
        }
    }

    /// <summary>Stops the daemon (it unmounts on SIGTERM) and reaps it.</summary>
    public void Dispose()
    {
        if (_pid <= 0) return;
        Kill(_pid, 15);
        ProcessStart.Wait(_pid);
        _pid = 0;
    }
}
