namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>
/// The pool of host ids containers of a root agent run as with <c>--userns=auto</c>: the entries of the
/// <c>containers</c> user in /etc/subuid and /etc/subgid, the convention podman follows, so one host's tools share
/// one reservation and nothing else (a login's subordinate ids, shadow's useradd) is handed the same ids.
/// When the files have no such entry the agent adds one above every existing range.
/// </summary>
internal static class SubordinateIds
{
    public const string Owner = "containers";
    public const string UidFile = "/etc/subuid", GidFile = "/etc/subgid";

    // 2^30 ids from 2^30 up: 16384 containers of 65536 ids, clear of the ranges useradd hands out (100000 to
    // 600100000 by default) and below 2^31, where tools that read ids as signed 32-bit numbers go wrong.
    private const long DefaultStart = 1L << 30, DefaultCount = 1L << 30, Alignment = 65536, LastId = 0x7FFF_FFFFL;

    /// <summary>The first id and the count of <see cref="Owner"/>'s ranges in <paramref name="file"/>, added when missing.</summary>
    public static (uint Start, uint Count) Pool(string file)
    {
        var entries = Read(file);
        var own = entries.Where(e => e.Name == Owner).ToList();
        if (own.Count > 0) return own.OrderByDescending(e => e.Count).Select(e => ((uint)e.Start, (uint)e.Count)).First();
        var end = entries.Select(e => e.Start + e.Count).DefaultIfEmpty(0).Max();
        var start = Math.Max(DefaultStart, (end + Alignment - 1) / Alignment * Alignment);
        var count = Math.Min(DefaultCount, (LastId + 1 - start) / Alignment * Alignment);
        if (count < Alignment)
            throw new ContainerSetupException($"--userns=auto: no room in {file} for a '{Owner}' range of host ids; add one (e.g. {Owner}:{DefaultStart}:{DefaultCount})");
        File.AppendAllText(file, $"{Owner}:{start}:{count}\n");
        return ((uint)start, (uint)count);
    }

    /// <summary>The first range of <paramref name="user"/> (by name or id) in <paramref name="file"/>; refused in one line when there is none.</summary>
    public static (uint Start, uint Count) Of(string file, string user, uint id)
    {
        var entry = Read(file).FirstOrDefault(e => e.Name == user || e.Name == id.ToString(System.Globalization.CultureInfo.InvariantCulture))
            ?? throw new ContainerSetupException($"rootless: {user} has no subordinate ids in {file}; ask an administrator for a range (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {user})", 125);
        return ((uint)entry.Start, (uint)entry.Count);
    }

    /// <summary>Like <see cref="Of"/>, but null when the user has no range.</summary>
    public static (uint Start, uint Count)? TryOf(string file, string user, uint id) =>
        Read(file).FirstOrDefault(e => e.Name == user || e.Name == id.ToString(System.Globalization.CultureInfo.InvariantCulture)) is { } entry
            ? ((uint)entry.Start, (uint)entry.Count) : null;

    /// <summary>Every range of <paramref name="name"/> (a user name or id) in <paramref name="file"/>; read only, nothing added.</summary>
    public static IReadOnlyList<(long Start, long Count)> RangesOf(string file, string name) =>
        Read(file).Where(e => e.Name == name).Select(e => (e.Start, e.Count)).ToList();

    private sealed record Entry(string Name, long Start, long Count);

    private static List<Entry> Read(string file)
    {
        if (!File.Exists(file)) return [];
        var entries = new List<Entry>();
        foreach (var line in File.ReadLines(file))
        {
            var fields = line.Split(':');
            if (fields.Length == 3 && long.TryParse(fields[1], out var start) && long.TryParse(fields[2], out var count) && count > 0)
                entries.Add(new Entry(fields[0], start, count));
        }
        return entries;
    }
}
