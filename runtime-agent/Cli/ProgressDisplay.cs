using RuntimeAgent.Store;

namespace RuntimeAgent.Cli;

/// <summary>
/// The one way a command shows a pull: bars (<see cref="SpectreProgress"/>) when the style says tty, or auto and the
/// output is a terminal; plain lines (<see cref="PlainProgress"/>) otherwise, so a pipe or a log never receives
/// cursor movements; nothing when quiet (<paramref name="output"/> null).
/// </summary>
public static class ProgressDisplay
{
    // One live display per process: two (build stages pulling their FROM images at once) would draw over each other.
    private static readonly SemaphoreSlim BarsGate = new(1, 1);

    /// <summary>Runs <paramref name="pull"/> under the display; bars are drawn only once a transfer begins and are
    /// finished (their last state left on screen) before this returns, so what follows prints below them.</summary>
    public static async Task<T> PullAsync<T>(ProgressStyle style, TextWriter? output, Func<IPullProgress, Task<T>> pull)
    {
        if (output is null) return await pull(SilentProgress.Instance);
        var bars = style == ProgressStyle.Tty || (style == ProgressStyle.Auto && Terminal.CanRedraw(output));
        if (!bars) return await pull(new PlainProgress(output));
        await BarsGate.WaitAsync();
        var progress = new SpectreProgress(output);
        try
        {
            return await pull(progress);
        }
        finally
        {
            await progress.FinishAsync();
            BarsGate.Release();
        }
    }
}
