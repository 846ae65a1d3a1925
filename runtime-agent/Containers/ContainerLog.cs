using System.Globalization;
using System.Text;

namespace RuntimeAgent.Containers;

/// <summary>One line of a container's log: when the monitor read it, from which stream, and whether it ended the line.</summary>
public sealed record LogEntry(DateTimeOffset Time, string Stream, bool Partial, string Text)
{
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>The CRI log format (what Kubernetes and podman's k8s-file driver write): TIME STREAM F|P TEXT.</summary>
    public string Format() => $"{Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)} {Stream} {(Partial ? 'P' : 'F')} {Text}\n";

    public static LogEntry? Parse(string line)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 3 || !DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return null;
        return new LogEntry(time, parts[1], parts[2] == "P", parts.Length == 4 ? parts[3] : "");
    }
}

/// <summary>Gets a container's output as the monitor reads it.</summary>
public delegate void OutputTee(ReadOnlySpan<byte> output);

/// <summary>
/// The monitor's writer of containers/ID/container.log. Both streams' pump threads write through one lock, a
/// line at a time, flushed at once so `logs -f` sees it. Past the size cap the file is renamed to
/// container.log.1 (replacing the previous one) and a new one started: at most twice the cap on disk.
/// </summary>
public sealed class ContainerLogWriter(string path, long maxBytes) : IDisposable
{
    private const int MaxLine = 16 * 1024; // longer lines are split into partial (P) entries, as CRI does
    private readonly object gate = new();
    private FileStream file = Open(path);

    public string Path => path;

    public void Write(string stream, ReadOnlySpan<byte> text, bool partial)
    {
        var entry = new LogEntry(DateTimeOffset.UtcNow, stream, partial, Encoding.UTF8.GetString(text)).Format();
        var bytes = Encoding.UTF8.GetBytes(entry);
        lock (gate)
        {
            if (file.Length > 0 && file.Length + bytes.Length > maxBytes) Rotate();
            file.Write(bytes);
            file.Flush();
        }
    }

    /// <summary>
    /// Reads a pipe (or a pty master) until EOF, writing each line (or each <see cref="MaxLine"/> piece of a longer
    /// one); <paramref name="tee"/> also gets every piece as it is read (attach).
    /// </summary>
    public unsafe void Pump(int fd, string stream, OutputTee? tee = null)
    {
        var buffer = new byte[64 * 1024];
        var pending = 0;
        while (true)
        {
            nint read;
            fixed (byte* p = &buffer[pending]) read = Native.Libc.Read(fd, p, (nuint)(buffer.Length - pending));
            if (read < 0 && Native.Libc.LastError == Native.Libc.EIntr) continue;
            if (read <= 0) break;
            tee?.Invoke(buffer.AsSpan(pending, (int)read));
            pending += (int)read;
            var start = 0;
            for (int newline; (newline = Array.IndexOf(buffer, (byte)'\n', start, pending - start)) >= 0; start = newline + 1)
                Write(stream, buffer.AsSpan(start, newline - start), partial: false);
            if (pending - start >= MaxLine)
            {
                Write(stream, buffer.AsSpan(start, pending - start), partial: true);
                start = pending;
            }
            Buffer.BlockCopy(buffer, start, buffer, 0, pending - start);
            pending -= start;
        }
        if (pending > 0) Write(stream, buffer.AsSpan(0, pending), partial: false);
    }

    private void Rotate()
    {
        file.Dispose();
        File.Move(path, path + ".1", overwrite: true);
        file = Open(path);
    }

    private static FileStream Open(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete });

    public void Dispose()
    {
        lock (gate) file.Dispose();
    }
}
