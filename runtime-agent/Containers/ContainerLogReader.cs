using System.Text;

namespace RuntimeAgent.Containers;

/// <summary>What <c>logs</c> shows: the last N entries, entries since a time, optionally followed as they are written.</summary>
public sealed record LogQuery(int? Tail, DateTimeOffset? Since, bool Follow, bool Timestamps)
{
    /// <summary>Only entries written before this time (attach's replay of earlier runs: <c>Attach/AttachServer</c>).</summary>
    public DateTimeOffset? Until { get; init; }
}

/// <summary>
/// Reads containers/ID/container.log (and the rotated container.log.1 before it) for <c>logs</c>. Following polls
/// the file every 50 ms; when the monitor rotates it (a new inode) the reader finishes the old file and starts
/// the new one from its beginning. Following stops once the container has exited for good and the file is drained.
/// </summary>
public sealed class ContainerLogReader(string path)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task ReadAsync(LogQuery query, Func<bool> containerDone, Action<LogEntry> emit, CancellationToken ct)
    {
        var existing = new List<LogEntry>();
        foreach (var file in new[] { path + ".1", path })
            if (File.Exists(file)) existing.AddRange(ReadLines(File.ReadAllBytes(file)));
        var shown = existing.Where(e => (query.Since is null || e.Time >= query.Since) && (query.Until is null || e.Time < query.Until));
        if (query.Tail is { } tail) shown = shown.TakeLast(Math.Max(0, tail));
        foreach (var entry in shown) emit(entry);
        if (!query.Follow) return;

        // Follow from where the snapshot ended: the current file's length when it was read.
        var (stream, identity) = OpenCurrent();
        stream?.Seek(existing.Count == 0 ? 0 : stream.Length, SeekOrigin.Begin);
        var carry = new StringBuilder();
        while (!ct.IsCancellationRequested)
        {
            var done = containerDone(); // read before draining, so lines written before the exit are not lost
            if (stream is not null) Drain(stream, carry, query, emit);
            var (next, nextIdentity) = OpenCurrent();
            if (next is not null && nextIdentity != identity)
            {
                if (stream is not null) Drain(stream, carry, query, emit);
                stream?.Dispose();
                (stream, identity) = (next, nextIdentity);
                carry.Clear();
                continue;
            }
            next?.Dispose();
            if (done) break;
            await Task.Delay(PollInterval, ct).ContinueWith(_ => { }, CancellationToken.None);
        }
        stream?.Dispose();
    }

    private static void Drain(FileStream stream, StringBuilder carry, LogQuery query, Action<LogEntry> emit)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(buffer)) > 0) carry.Append(Encoding.UTF8.GetString(buffer, 0, read));
        var text = carry.ToString();
        var end = text.LastIndexOf('\n');
        if (end < 0) return;
        foreach (var entry in ReadLines(Encoding.UTF8.GetBytes(text[..(end + 1)])))
            if (query.Since is null || entry.Time >= query.Since) emit(entry);
        carry.Clear().Append(text[(end + 1)..]);
    }

    private (FileStream? Stream, (long Device, long Inode) Identity) OpenCurrent()
    {
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            // fstat of the handle itself: the path may already name a newer file.
            Native.Libc.FstatAt((int)stream.SafeFileHandle.DangerousGetHandle(), "", out var stat, (int)Native.Libc.AtEmptyPath);
            return (stream, (0, (long)stat.Inode));
        }
        catch (FileNotFoundException)
        {
            return (null, default);
        }
    }

    private static IEnumerable<LogEntry> ReadLines(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(LogEntry.Parse).OfType<LogEntry>();
}
