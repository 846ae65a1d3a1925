namespace Registry.Tests.Agent;

/// <summary>
/// A process and its descendants as the kernel sees them (from /proc), for a test that timed out waiting for them: each
/// one's state, where it sleeps, and its signal masks, so a hang can be told apart from a lost signal.
/// </summary>
internal static class ProcessTree
{
    /// <summary>Whether the process exists and is not a zombie (exited, not yet reaped).</summary>
    public static bool Alive(int pid) => Read($"/proc/{pid}/stat") is { } stat && stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X');

    public static string Describe(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.GetDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Read($"{directory}/stat") is { } stat && ParentOf(stat) is { } parent)
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
        var lines = new List<string>();
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            lines.Add(Line(pid));
            foreach (var child in children.GetValueOrDefault(pid, [])) pending.Push(child);
        }
        return string.Join('\n', lines);
    }

    private static string Line(int pid)
    {
        var status = (Read($"/proc/{pid}/status") ?? "").Split('\n')
            .Where(l => l.StartsWith("State:") || l.StartsWith("Sig") || l.StartsWith("ShdPnd:") || l.StartsWith("Threads:") || l.StartsWith("NSpid:"))
            .Select(l => l.Replace("\t", " "));
        var command = (Read($"/proc/{pid}/cmdline") ?? "").Replace('\0', ' ').Trim();
        return $"{pid} [{command}] wchan={Read($"/proc/{pid}/wchan")} {string.Join("; ", status)}";
    }

    // The parent is the fourth field of stat, after the command name in parentheses (which may hold spaces).
    private static int? ParentOf(string stat) =>
        stat.LastIndexOf(')') is var end and > 0 && stat[(end + 2)..].Split(' ') is [_, var parent, ..] && int.TryParse(parent, out var ppid) ? ppid : null;

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
