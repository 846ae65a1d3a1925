namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>
/// The host ids a container's user namespace maps ids 0…Count-1 onto: uid n inside is <c>HostUid + n</c> outside,
/// gid n is <c>HostGid + n</c>.
/// </summary>
public sealed record IdRange(uint HostUid, uint HostGid, uint Count)
{
    /// <summary>The contents of /proc/PID/uid_map (or gid_map) for this range.</summary>
    public string UidMap => $"0 {HostUid} {Count}\n";
    public string GidMap => $"0 {HostGid} {Count}\n";
}

/// <summary><c>--userns</c>: host (no user namespace, as before) or auto (a range of its own per container).</summary>
public enum UserNamespaceMode
{
    Host,
    Auto,
}
