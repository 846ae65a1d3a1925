using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.Isolation;

/// <summary>
/// Applies a <see cref="SecurityProfile"/> to the calling thread, just before it spawns or execs the container's
/// command. Capabilities, no_new_privs and seccomp filters belong to a task and pass to its children across
/// fork and execve, so the child needs no code of ours: the setup thread restricts itself, then posix_spawns.
/// The order is runc's: bounding set; seccomp while CAP_SYS_ADMIN still allows loading it (without
/// no_new_privs); the user; the remaining sets; and with no_new_privs, seccomp last so it cannot block a step.
/// </summary>
internal sealed class ThreadLockdown(SecurityProfile profile, byte[]? seccompProgram)
{
    /// <summary>
    /// For a process that joins a user namespace, which resets its capabilities: the profile is applied by the process
    /// itself after the join (<see cref="UserNamespaces.UserNamespaceExec"/>), not inherited from this thread.
    /// </summary>
    public UserNamespaces.UserNamespaceExec ForUserNamespace(int userNamespaceFd, ContainerUser user) => new(userNamespaceFd, profile, seccompProgram, user);

    /// <summary>Becomes <paramref name="user"/> with the profile's restrictions. Changes the calling thread only.</summary>
    public void Apply(ContainerUser user)
    {
        DropBoundingSet(profile.Capabilities);
        if (!profile.NoNewPrivileges) LoadSeccomp();
        ContainerEntry.DropTo(user);
        // Root keeps the profile's set; any other user keeps none (a file capability on an executable can still
        // grant some, within the bounding set). Inheritable and ambient stay empty: a capability left there
        // would survive exec into a non-root program (CVE-2022-24769, CVE-2022-27652).
        var sets = user.Uid == 0 ? profile.Capabilities : 0;
        Check(CapsetThisThread(sets, sets, 0), "capset");
        Check(Prctl(PrCapAmbient, PrCapAmbientClearAll), "clear the ambient capabilities");
        if (!profile.NoNewPrivileges) return;
        Check(Prctl(PrSetNoNewPrivs, 1), "set no_new_privs");
        LoadSeccomp();
    }

    private static void DropBoundingSet(ulong keep)
    {
        for (var cap = 0; cap < 64; cap++)
        {
            if ((keep & (1UL << cap)) != 0) continue;
            if (Prctl(PrCapbsetDrop, (ulong)cap) == 0) continue;
            if (LastError == EInval) return; // past the last capability this kernel knows
            Check(-1, $"drop capability {cap} from the bounding set");
        }
    }

    private void LoadSeccomp()
    {
        if (seccompProgram is not null) Check(SeccompLoadFilter(seccompProgram), "load the seccomp filter");
    }

    private static void Check(int result, string what) => ContainerSetupException.Check(result, what);
}
