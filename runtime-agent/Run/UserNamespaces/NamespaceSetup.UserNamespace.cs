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
    private int LaunchInUserNamespace(IdRange range)
    {
        // Not spec.json: a detached container's monitor keeps its own spec there (with the cgroup init must not join).
        var specPath = Path.Join(Path.GetDirectoryName(spec.RootFs), "userns-init.json");
        UserNamespaceChild? child = null;
        try
        {
            using (EnterNamespaces(beforeRoot: () =>
            {
                child = UserNamespaceChild.Clone(agentPath, specPath, newProcessGroup);
                child.MapIds(range);
                foreach (var directory in spec.CgroupDirectories)
                    Isolation.Cgroups.CgroupFiles.Write(directory, "cgroup.procs", child.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "join the container's cgroup");
                var userNamespace = child.OpenUserNamespace();
                try
                {
                    foreach (var layer in spec.LowerDirs) IdmappedMounts.MapInPlace(layer, userNamespace);
                    foreach (var volume in spec.Volumes.Where(v => v.Idmap)) IdmappedMounts.MapInPlace(volume.HostPath, userNamespace, recursive: true);
                }
                finally
                {
                    Close(userNamespace);
                }
            })) { }
            (spec with { CgroupDirectories = [] }).Save(specPath);
            child!.Release();
            var pid = child.Pid;
            child = null;
            return pid;
        }
        finally
        {
            child?.Dispose();
        }
    }
}
