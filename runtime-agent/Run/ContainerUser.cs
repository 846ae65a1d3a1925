namespace RuntimeAgent.Run;

/// <summary>
/// The identity the container's process runs as, resolved from <c>-u</c> or the image's User
/// (<c>UID[:GID]</c>, <c>NAME[:GROUP]</c>) against the container's own /etc/passwd and /etc/group, as Docker does.
/// </summary>
internal sealed record ContainerUser(uint Uid, uint Gid, uint[] SupplementaryGroups, string Home)
{
    public static ContainerUser Resolve(string user, string passwdPath = "/etc/passwd", string groupPath = "/etc/group")
    {
        var passwd = ReadColonFile(passwdPath);
        var groups = ReadColonFile(groupPath);
        var (userPart, groupPart) = user.Split(':', 2) switch
        {
            [var u, var g] => (u, g),
            [var u] => (u, ""),
            _ => ("", ""),
        };
        if (userPart == "") userPart = "0";

        string[]? entry = uint.TryParse(userPart, out var uid)
            ? passwd.FirstOrDefault(e => e.Length >= 7 && e[2] == userPart)
            : passwd.FirstOrDefault(e => e.Length >= 7 && e[0] == userPart)
              ?? throw new ContainerSetupException($"unable to find user {userPart}: no matching entries in passwd file");
        if (entry is not null) uid = uint.Parse(entry[2]);

        var gid = entry is not null ? uint.Parse(entry[3]) : 0u;
        if (groupPart != "" && !uint.TryParse(groupPart, out gid))
        {
            var group = groups.FirstOrDefault(g => g.Length >= 3 && g[0] == groupPart)
                ?? throw new ContainerSetupException($"unable to find group {groupPart}: no matching entries in group file");
            gid = uint.Parse(group[2]);
        }

        // Supplementary groups come from group membership by name; an explicit group replaces them.
        var name = entry?[0];
        var supplementary = groupPart == "" && name is not null
            ? groups.Where(g => g.Length >= 4 && g[3].Split(',').Contains(name) && uint.TryParse(g[2], out _))
                .Select(g => uint.Parse(g[2]))
            : [];
        return new ContainerUser(uid, gid, supplementary.Prepend(gid).Distinct().ToArray(), entry?[5] is { Length: > 0 } home ? home : "/");
    }

    private static List<string[]> ReadColonFile(string path)
    {
        try
        {
            return File.ReadLines(path).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(':')).ToList();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
    }
}
