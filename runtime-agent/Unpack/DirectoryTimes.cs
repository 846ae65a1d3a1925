using RuntimeAgent.Native;

namespace RuntimeAgent.Unpack;

/// <summary>
/// Directory mtimes, applied once the whole layer is written, because writing into a directory changes its mtime
/// (and setting a child's time does not touch its parent's, so the order they are applied in does not matter).
/// A later entry for the same directory wins, as in tar; a directory a later entry replaced or removed is skipped.
/// </summary>
internal sealed class DirectoryTimes(RootedDirectory root)
{
    private readonly Dictionary<string, (IReadOnlyList<string> Parts, DateTimeOffset Time)> times = new(StringComparer.Ordinal);

    public void Record(IReadOnlyList<string> parts, DateTimeOffset time) => times[string.Join('/', parts)] = (parts, time);

    public void Apply()
    {
        foreach (var (path, (parts, time)) in times)
        {
            if (parts.Count == 0)
            {
                EntryWriter.SetTimes(root.RootFd, ".", time, ".");
                continue;
            }
            var parent = root.OpenExistingParent(parts);
            if (parent < 0) continue;
            try
            {
                if (Libc.FstatAt(parent, parts[^1], out var status, Libc.AtSymlinkNoFollow) == 0 && (status.Mode & Libc.SIfMt) == Libc.SIfDir)
                    EntryWriter.SetTimes(parent, parts[^1], time, path);
            }
            finally
            {
                if (parent != root.RootFd) Libc.Close(parent);
            }
        }
    }
}
