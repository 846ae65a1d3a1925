namespace RuntimeAgent.Run;

/// <summary>
/// The identity the container's process runs as, resolved from <c>-u</c> or the image's User
/// (<c>UID[:GID]</c>, <c>NAME[:GROUP]</c>) against the container's own /etc/passwd and /etc/group, as Docker does.
/// </summary>
/// <remarks>
/// This runs on the setup thread of every `run`, on the path to the container's start: plain loops, and a missing
/// file is found by a stat rather than by an exception (a first exception in a NativeAOT process unwinds through
/// tables it has never touched: about 0.7 ms and a dozen page faults on the machine measured; docs/PERFORMANCE.md).
/// </remarks>
internal sealed record ContainerUser(uint Uid, uint Gid, uint[] SupplementaryGroups, string Home)
{
    public static ContainerUser Resolve(string user, string passwdPath = "/etc/passwd", string groupPath = "/etc/group")
    {
        var passwd = ReadColonFile(passwdPath);
        var groups = ReadColonFile(groupPath);
        var colon = user.IndexOf(':');
        var userPart = colon < 0 ? user : user[..colon];
        var groupPart = colon < 0 ? "" : user[(colon + 1)..];
        if (userPart == "") userPart = "0";

        var numeric = uint.TryParse(userPart, out var uid);
        var entry = Find(passwd, minFields: 7, field: numeric ? 2 : 0, userPart);
        if (entry is null && !numeric)
            throw new ContainerSetupException($"unable to find user {userPart}: no matching entries in passwd file");
        if (entry is not null) uid = uint.Parse(entry[2]);

        var gid = entry is not null ? uint.Parse(entry[3]) : 0u;
        if (groupPart != "" && !uint.TryParse(groupPart, out gid))
        {
            var group = Find(groups, minFields: 3, field: 0, groupPart)
                ?? throw new ContainerSetupException($"unable to find group {groupPart}: no matching entries in group file");
            gid = uint.Parse(group[2]);
        }

        // Supplementary groups come from group membership by name; an explicit group replaces them.
        var supplementary = new List<uint> { gid };
        var name = entry?[0];
        if (groupPart == "" && name is not null)
            foreach (var g in groups)
                if (g.Length >= 4 && Array.IndexOf(g[3].Split(','), name) >= 0 && uint.TryParse(g[2], out var member) && !supplementary.Contains(member))
                    supplementary.Add(member);
        return new ContainerUser(uid, gid, supplementary.ToArray(), entry?[5] is { Length: > 0 } home ? home : "/");
    }

    private static string[]? Find(List<string[]> entries, int minFields, int field, string value)
    {
        foreach (var e in entries)
            if (e.Length >= minFields && e[field] == value) return e;
        return null;
    }

    private static List<string[]> ReadColonFile(string path)
    {
        var entries = new List<string[]>();
        if (!File.Exists(path)) return entries; // images without /etc/passwd (busybox, distroless) are common
        try
        {
            foreach (var line in File.ReadAllLines(path))
                if (line.Length > 0 && line[0] != '#') entries.Add(line.Split(':'));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // removed between the check and the read: as absent
        }
        return entries;
    }
}
