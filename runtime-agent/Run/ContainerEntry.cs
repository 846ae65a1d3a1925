using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>The container's command, resolved inside its root: what to execve, with which arguments and environment, as whom.</summary>
internal sealed record ContainerCommand(string Path, IReadOnlyList<string> Args, IReadOnlyList<string> Env, ContainerUser User);

/// <summary>
/// The last steps before the container's command starts, shared by the direct launch (on the agent's setup
/// thread) and by <c>--init</c> (in the init process): pivot into the prepared root, resolve the user and the
/// command against the image's own files, enter the working directory; and, last, drop to the user.
/// </summary>
internal static unsafe class ContainerEntry
{
    /// <summary>Pivots into <paramref name="spec"/>'s root; from here on every path is the container's.</summary>
    /// <param name="detachOldRoot">False: the old root stays stacked under the new one, unreachable by path, until the
    /// caller detaches it (<see cref="ProcMounter"/> in a rootless agent, which needs it to mount /proc).</param>
    public static ContainerCommand Enter(ContainerSpec spec, bool detachOldRoot = true)
    {
        PivotInto(spec.RootFs, detachOldRoot);
        Umask(0x12); // 022, the usual default for the container's processes
        var user = ContainerUser.Resolve(spec.User);
        var env = WithDefaults(spec.Env, ("HOME", user.Home));
        EnterWorkingDirectory(spec.WorkingDir);
        return new ContainerCommand(ProcessStart.FindExecutable(spec.Args[0], env), spec.Args, env, user);
    }

    /// <summary>Becomes the container's user. Changes the calling thread only, which is the one that then execs or spawns.</summary>
    public static void DropTo(ContainerUser user)
    {
        fixed (uint* groups = user.SupplementaryGroups)
            ContainerSetupException.Check(SetThreadGroups(groups, user.SupplementaryGroups.Length), "setgroups");
        ContainerSetupException.Check(SetThreadGid(user.Gid), $"setgid {user.Gid}");
        ContainerSetupException.Check(SetThreadUid(user.Uid), $"setuid {user.Uid}");
    }

    /// <summary>pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the container's tree.</summary>
    private static void PivotInto(string rootFs, bool detachOldRoot)
    {
        ContainerSetupException.Check(Chdir(rootFs), $"chdir {rootFs}");
        ContainerSetupException.Check(PivotRoot(".", "."), "pivot_root");
        if (detachOldRoot) ContainerSetupException.Check(Umount2(".", MntDetach), "detach the old root");
        ContainerSetupException.Check(Chdir("/"), "chdir /");
    }

    private static void EnterWorkingDirectory(string dir)
    {
        if (!Directory.Exists(dir)) Directory.CreateDirectory(dir); // Docker creates a missing WorkingDir
        ContainerSetupException.Check(Chdir(dir), $"chdir {dir}");
    }

    private static List<string> WithDefaults(IReadOnlyList<string> env, params (string Key, string Value)[] defaults)
    {
        var result = env.ToList();
        foreach (var (key, value) in defaults)
            if (!result.Any(e => e.StartsWith(key + "=", StringComparison.Ordinal))) result.Add($"{key}={value}");
        return result;
    }
}
