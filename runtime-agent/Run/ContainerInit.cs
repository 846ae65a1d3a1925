using System.Text;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// The agent's second life: started by util-linux unshare(1) as PID 1 of the new namespaces, it builds the
/// container's root (overlay, /proc, /sys, /dev, /tmp, volumes), pivots into it, drops to the container's
/// user and execs the command (or, with --init, stays as a reaper). Runs single-purpose and short-lived.
/// </summary>
internal static unsafe class ContainerInit
{
    public static int Run(string specPath)
    {
        Umask(0); // DevSetup and ContainerRoot give exact modes
        var spec = ContainerSpec.Load(specPath);

        // unshare already made every mount private; repeat it so nothing here can reach the host.
        SystemMounts.Mount(null, "/", null, MsRec | MsPrivate, null);
        OverlayMount.Mount(spec);
        using (var root = new ContainerRoot(spec.RootFs)) SystemMounts.MountAll(root, spec);
        SetHostname(spec.Hostname);
        if (spec.PrivateNetwork) Loopback.BringUp();
        PivotInto(spec.RootFs);
        Umask(0x12); // 022, the usual default for the container's processes

        var user = ContainerUser.Resolve(spec.User);
        var env = WithDefaults(spec.Env, ("HOME", user.Home));
        EnterWorkingDirectory(spec.WorkingDir);
        DropTo(user);

        var path = ProcessStart.FindExecutable(spec.Args[0], env);
        if (spec.ReapZombies) return Reaper.Run(path, spec.Args, env);
        ProcessStart.Exec(path, spec.Args, env);
        return 125; // not reached: Exec returns only by throwing
    }

    private static void SetHostname(string hostname)
    {
        var bytes = Encoding.UTF8.GetBytes(hostname);
        fixed (byte* p = bytes) ContainerSetupException.Check(Sethostname(p, (nuint)bytes.Length), $"sethostname {hostname}");
    }

    /// <summary>pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the container's tree.</summary>
    private static void PivotInto(string rootFs)
    {
        ContainerSetupException.Check(Chdir(rootFs), $"chdir {rootFs}");
        ContainerSetupException.Check(PivotRoot(".", "."), "pivot_root");
        ContainerSetupException.Check(Umount2(".", MntDetach), "detach the old root");
        ContainerSetupException.Check(Chdir("/"), "chdir /");
    }

    private static void EnterWorkingDirectory(string dir)
    {
        if (!Directory.Exists(dir)) Directory.CreateDirectory(dir); // Docker creates a missing WorkingDir
        ContainerSetupException.Check(Chdir(dir), $"chdir {dir}");
    }

    private static void DropTo(ContainerUser user)
    {
        fixed (uint* groups = user.SupplementaryGroups)
            ContainerSetupException.Check(Setgroups((nuint)user.SupplementaryGroups.Length, groups), "setgroups");
        ContainerSetupException.Check(Setgid(user.Gid), $"setgid {user.Gid}");
        ContainerSetupException.Check(Setuid(user.Uid), $"setuid {user.Uid}");
    }

    private static List<string> WithDefaults(IReadOnlyList<string> env, params (string Key, string Value)[] defaults)
    {
        var result = env.ToList();
        foreach (var (key, value) in defaults)
            if (!result.Any(e => e.StartsWith(key + "=", StringComparison.Ordinal))) result.Add($"{key}={value}");
        return result;
    }
}
