using System.Diagnostics;
using System.Globalization;
using RuntimeAgent.Store;

namespace RuntimeAgent.Cli;

/// <summary>
/// Progress as plain lines, for logs and pipes: one when a blob resumes, one every <see cref="Interval"/> while it
/// transfers (bytes, percent, speed; <paramref name="activity"/> says which way: "downloading", "uploading"), one when
/// it ends. $RUNTIME_AGENT_PROGRESS_INTERVAL (seconds) changes the
/// interval, e.g. for a CI log that wants fewer lines.
/// </summary>
public sealed class PlainProgress(TextWriter output, string activity) : IPullProgress
{
    private string Activity { get; } = activity;
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(3);
    private readonly Lock gate = new();

    public TimeSpan Interval { get; init; } = Environment.GetEnvironmentVariable("RUNTIME_AGENT_PROGRESS_INTERVAL") is { } text
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds) : DefaultInterval;

    public ITransferProgress Begin(string label, long size) => new Transfer(this, label, size);

    public void Message(string text) => Write(text);

    private void Write(string line)
    {
        lock (gate) output.WriteLine(line);
    }

    private sealed class Transfer(PlainProgress owner, string label, long size) : ITransferProgress
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private long resumedAt = -1, done;
        private TimeSpan lastLine;

        public void Advance(long bytes)
        {
            done += bytes;
            if (resumedAt < 0)
            {
                resumedAt = bytes;
                if (bytes > 0) owner.Write($"{label}: resuming at {bytes} of {size} bytes");
                return;
            }
            var now = clock.Elapsed;
            if (now - lastLine < owner.Interval) return;
            lastLine = now;
            var speed = (done - resumedAt) / Math.Max(now.TotalSeconds, 1e-3);
            owner.Write($"{label}: {owner.Activity} {Size(done)} of {Size(size)} ({100.0 * done / Math.Max(size, 1):0}%), {Size((long)speed)}/s");
        }

        public void Complete(string status) => owner.Write($"{label}: {status} ({size} bytes)");
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
