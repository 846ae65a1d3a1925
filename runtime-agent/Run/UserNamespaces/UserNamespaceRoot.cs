namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>The root as init finds it inside a user namespace (see <see cref="UserNamespaceChild"/>).</summary>
internal static class UserNamespaceRoot
{
    /// <summary>
    /// Init's mount namespace is a copy made by a less privileged user namespace, so the kernel locks every mount in
    /// it (none may be unmounted to reveal what it covers), and pivot_root refuses a locked new root (EINVAL). A
    /// recursive bind of the root onto itself is a mount of init's own, unlocked at the top; the mounts below stay
    /// locked, as they should.
    /// </summary>
    public static void Unlock(string rootFs) =>
        SystemMounts.Mount(rootFs, rootFs, null, Native.Libc.MsBind | Native.Libc.MsRec, null);
}
