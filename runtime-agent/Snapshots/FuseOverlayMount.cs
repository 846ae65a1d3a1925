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

    public static FuseOverlayMount Mount(ContainerSpec spec) => Mount(spec.LowerDirs, spec.UpperDir, spec.WorkDir, spec.RootFs);

    /// <summary>Mounts <paramref name="lowerDirs"/> (top first) under <paramref name="upperDir"/> at <paramref name="target"/>.</summary>
    public static FuseOverlayMount Mount(IReadOnlyList<string> lowerDirs, string upperDir, string workDir, string target)
    {
        var program = SearchPath.Select(d => Path.Join(d, Program)).FirstOrDefault(File.Exists)
            ?? throw new ContainerSetupException($"--snapshotter fuse-overlayfs needs the {Program} program (Debian package fuse-overlayfs)");
        EnsureFuseDevice();
        // allow_other: the container's processes may run as any user, not only the one that mounted.
        var options = $"lowerdir={string.Join(':', lowerDirs)},upperdir={upperDir},workdir={workDir},allow_other";
        var pid = ProcessStart.Spawn(program, [program, "-f", "-o", options, target], ["PATH=/usr/bin:/bin"]);
        var mount = new FuseOverlayMount(pid);
        try
        {
            mount.WaitUntilMounted(target);
            return mount;
        }
        catch
        {
            mount.Dispose();
            throw;
        }
    }

    // The daemon opens /dev/fuse with this agent's credentials: an ordinary user's agent needs the device to be
    // readable and writable by others (Debian's udev makes it 0666; some VMs leave it 0600).
    private static void EnsureFuseDevice()
    {
        if (!File.Exists("/dev/fuse")) throw new ContainerSetupException("--snapshotter fuse-overlayfs needs /dev/fuse (modprobe fuse)");
        var fd = OpenAt(AtFdCwd, "/dev/fuse", ORdWr | OCloExec, 0);
        if (fd < 0) throw new ContainerSetupException($"fuse-overlayfs cannot open /dev/fuse: {ErrorText(LastError)}");
        Close(fd);
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
