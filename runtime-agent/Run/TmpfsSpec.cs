namespace RuntimeAgent.Run;

/// <summary>A tmpfs mounted into the container (<c>--tmpfs PATH[:OPTIONS]</c>); flags as mount(2) takes them, data as tmpfs's options.</summary>
public sealed record TmpfsMount(string ContainerPath, ulong Flags, string Data);

/// <summary>
/// Parses <c>--tmpfs PATH[:size=64m,mode=1777,uid=N,gid=N,nr_inodes=N,ro,exec]</c>. Like podman, a tmpfs is
/// noexec and nosuid unless told otherwise, and always nodev (no device node on it opens).
/// </summary>
public static class TmpfsSpec
{
    private static readonly string[] DataOptions = ["size", "mode", "uid", "gid", "nr_inodes", "nr_blocks"];

    public static TmpfsMount Parse(string text)
    {
        var parts = text.Split(':', 2);
        var path = parts[0];
        if (!path.StartsWith('/') || path.Contains(',')) throw Invalid(text, "the path must be absolute");
        path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (path == "/") throw Invalid(text, "cannot mount over the container's /");

        ulong flags = Native.Libc.MsNosuid | Native.Libc.MsNodev | Native.Libc.MsNoexec;
        var data = new List<string>();
        foreach (var option in parts.Length == 2 ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries) : [])
        {
            var key = option.Split('=', 2)[0];
            switch (option)
            {
                case "ro": flags |= Native.Libc.MsRdonly; break;
                case "rw": flags &= ~Native.Libc.MsRdonly; break;
                case "exec": flags &= ~Native.Libc.MsNoexec; break;
                case "noexec": flags |= Native.Libc.MsNoexec; break;
                case "nosuid" or "nodev": break;
                case var _ when DataOptions.Contains(key) && option.Length > key.Length + 1:
                    data.Add(key == "size" && !option.EndsWith('%') ? $"size={Isolation.Cgroups.ResourceLimits.Bytes("--tmpfs size", option[5..])}" : option);
                    break;
                default: throw Invalid(text, $"unknown option '{option}' (size, mode, uid, gid, nr_inodes, ro, rw, exec, noexec)");
            }
        }
        return new TmpfsMount(path, flags, string.Join(',', data));
    }

    private static ContainerSetupException Invalid(string text, string why) => new($"invalid --tmpfs '{text}': {why}");
}
