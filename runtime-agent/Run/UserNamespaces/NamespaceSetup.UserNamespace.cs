using RuntimeAgent.Run.UserNamespaces;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

internal sealed partial class NamespaceSetup
{
    /// <summary>
    /// <c>--userns=auto</c>: the setup thread enters the new mount, UTS, IPC and network namespaces as before, clones
    /// init's process into a new user and PID namespace (<see cref="UserNamespaceChild"/>), maps its ids to
    /// <paramref name="range"/>, mounts the layers idmapped with that namespace under the overlay, builds the rest of
    /// the root, and lets init go. Init pivots, mounts /proc and applies the security profile inside the user
    /// namespace, where its capabilities count. The host-owned cgroup files are joined from here, for it.
    /// </summary>
    private unsafe int LaunchInUserNamespace(IdRange range)
    {
        var specPath = InitSpecPath; // without the cgroups: joined from here, for init
        UserNamespaceChild? child = null;
        var ready = stackalloc int[2];
        ContainerSetupException.Check(Pipe2(ready, OCloExec), "pipe");
        var initSpec = spec with { CgroupDirectories = [], ReadyFd = ready[1] };
        try
        {
            using (var root = EnterNamespaces(beforeRoot: () =>
            {
                child = UserNamespaceChild.Clone(agentPath, specPath, newProcessGroup, inheritFd: ready[1]);
                child.MapIds(range);
                foreach (var directory in spec.CgroupDirectories)
                    Isolation.Cgroups.CgroupFiles.Write(directory, "cgroup.procs", child.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "join the container's cgroup");
                var userNamespace = child.OpenUserNamespace();
                try
                {
                    // reflink, copy: the private tree is the range's already (Snapshots/RangeOwnership).
                    if (spec.Snapshotter == Snapshots.Snapshotter.Overlay)
                        foreach (var layer in spec.LowerDirs) IdmappedMounts.MapInPlace(layer, userNamespace);
                    foreach (var volume in spec.Volumes.Where(v => v.Idmap)) IdmappedMounts.MapInPlace(volume.HostPath, userNamespace, recursive: true);
                }
                finally
                {
                    Close(userNamespace);
                }
            }))
            {
                // -t: as on the init path (LaunchInit), the agent keeps the master and init starts the command on the
                // slave; the slave is first given to the namespace's root, which may then chown it to the container's user.
                if (spec.Tty)
                {
                    var terminal = Terminal.ContainerTerminal.Open(root);
                    TerminalFd = terminal.MasterFd;
                    ContainerSetupException.Check(FchownAt(root.DirectoryFd("/dev/pts"), terminal.SlavePath["/dev/pts/".Length..], (int)range.HostUid,
                        (int)range.HostGid, AtSymlinkNoFollow), $"chown {terminal.SlavePath}");
                    initSpec = initSpec with { TerminalPath = terminal.SlavePath };
                }
            }
            initSpec.Save(specPath);
            Close(ready[1]);
            ready[1] = -1;
            child!.Release();
            WaitUntilClosed(ready[0]); // init is in the container's root (or gone): exec now joins the right tree
            var pid = child.Pid;
            child = null;
            return pid;
        }
        finally
        {
            child?.Dispose();
            Close(ready[0]);
            if (ready[1] >= 0) Close(ready[1]);
        }
    }

    private static unsafe void WaitUntilClosed(int fd)
    {
        byte ignored;
        while (Read(fd, &ignored, 1) is var read && (read > 0 || (read < 0 && LastError == EIntr))) { }
    }
}
