using RuntimeAgent.Store;

namespace RuntimeAgent.Cli;

/// <summary>
/// The one way a command shows transfers (pulls and pushes): bars (<see cref="SpectreProgress"/>) when the style says
/// tty, or auto and the output is a terminal; plain lines (<see cref="PlainProgress"/>) otherwise, so a pipe or a log
/// never receives cursor movements; nothing when quiet (<paramref name="output"/> null).
/// </summary>
public static class ProgressDisplay
{
    // One live display per process: two (build stages pulling their FROM images at once) would draw over each other.
    private static readonly SemaphoreSlim BarsGate = new(1, 1);
    private static volatile SpectreProgress? live;

    /// <summary>Runs <paramref name="pull"/> under the display; bars are drawn only once a transfer begins and are
    /// finished (their last state left on screen) before this returns, so what follows prints below them.</summary>
    public static Task<T> PullAsync<T>(ProgressStyle style, TextWriter? output, Func<IPullProgress, Task<T>> pull) =>
        ShowAsync(style, output, "downloading", pull);

    /// <summary>As <see cref="PullAsync"/>, for uploads (the plain lines say "uploading").</summary>
    public static Task<T> PushAsync<T>(ProgressStyle style, TextWriter? output, Func<IPullProgress, Task<T>> push) =>
        ShowAsync(style, output, "uploading", push);

    /// <summary>
    /// Writes <paramref name="line"/> to <paramref name="output"/>, or, while bars are live on it, above the bars (the
    /// display redraws them below the line), so lines of other work (another build stage's steps) never tear them.
    /// </summary>
    public static void WriteLine(TextWriter output, string line)
    {
        if (live is { } bars && bars.TryWriteAbove(output, line)) return;
        output.WriteLine(line);
    }

    private static async Task<T> ShowAsync<T>(ProgressStyle style, TextWriter? output, string activity, Func<IPullProgress, Task<T>> work)
    {
        if (output is null) return await work(SilentProgress.Instance);
        if (output is LiveLineWriter lines) output = lines.Target;
        var bars = style == ProgressStyle.Tty || (style == ProgressStyle.Auto && Terminal.CanRedraw(output));
        if (!bars) return await work(new PlainProgress(output, activity));
        await BarsGate.WaitAsync();
        var progress = new SpectreProgress(output);
        live = progress;
        try
        {
            return await work(progress);
        }
        finally
        {
            await progress.FinishAsync();
            live = null;
            BarsGate.Release();
        }
    }
}
