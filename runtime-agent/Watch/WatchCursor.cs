using System.Text;

namespace RuntimeAgent.Watch;

/// <summary>
/// Where <c>watch</c> is in a registry's event feed: <c>ROOT/watch/&lt;registry&gt;.cursor</c>, replaced atomically
/// (temp file, fsync, rename) after every event handled, so a restart neither misses nor repeats one.
/// </summary>
public sealed class WatchCursor(string root, string registry)
{
    public string Path { get; } = System.IO.Path.Combine(root, "watch", registry.Replace(':', '_').Replace('/', '_') + ".cursor");

    /// <summary>The saved cursor, or "0" (the oldest retained event) on the first run.</summary>
    public string Load() => File.Exists(Path) ? File.ReadAllText(Path).Trim() : "0";

    public void Save(string cursor)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temp = Path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(Encoding.UTF8.GetBytes(cursor));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, Path, overwrite: true);
    }
}
