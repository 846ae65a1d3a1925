using RuntimeAgent.Store;
using Spectre.Console;

namespace RuntimeAgent.Cli;

/// <summary>
/// One progress bar per blob, drawn on <c>output</c> (stdout or stderr). The live display starts at the first transfer,
/// so a run of a cached image draws nothing; status messages are printed once the bars are done (writing them
/// between redraws would tear the bars).
/// </summary>
public sealed class SpectreProgress(TextWriter output) : IPullProgress
{
    private readonly List<string> messages = [];
    private readonly Lock gate = new();
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IAnsiConsole? console;
    private Task? display;
    private ProgressContext? context;

    public ITransferProgress Begin(string label, long size) =>
        new Transfer(Context().AddTask(Markup.Escape(label), maxValue: Math.Max(1, size)));

    public void Message(string text)
    {
        lock (messages) messages.Add(text);
    }

    /// <summary>
    /// Writes a line above the live bars when they are drawn on <paramref name="target"/> (Spectre's live renderer
    /// moves the cursor up, prints the line and redraws the bars below it); false when no bars are drawn there.
    /// </summary>
    public bool TryWriteAbove(TextWriter target, string line)
    {
        IAnsiConsole? drawing;
        lock (gate) drawing = target == output && context is not null ? console : null;
        if (drawing is null) return false;
        drawing.Write(new Text(line + "\n"));
        return true;
    }

    /// <summary>Ends the live display (leaving the bars' last state) and prints the collected messages.</summary>
    public async Task FinishAsync()
    {
        finished.TrySetResult();
        if (display is not null) await display;
        lock (messages)
        {
            if (messages.Count == 0) return;
            var target = console ?? Create();
            foreach (var message in messages) target.WriteLine(message);
        }
    }

    private ProgressContext Context()
    {
        lock (gate)
        {
            if (context is not null) return context;
            var ready = new TaskCompletionSource<ProgressContext>(TaskCreationOptions.RunContinuationsAsynchronously);
            console = Create();
            display = console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                         new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(async live =>
                {
                    ready.SetResult(live);
                    await finished.Task;
                    live.Refresh();
                });
            return context = ready.Task.GetAwaiter().GetResult();
        }
    }

    private IAnsiConsole Create() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.Yes,
        Interactive = InteractionSupport.Yes,
        ColorSystem = ColorSystemSupport.Detect,
        Out = new AnsiConsoleOutput(output),
    });

    private sealed class Transfer(ProgressTask task) : ITransferProgress
    {
        public void Advance(long bytes) => task.Increment(bytes);

        public void Complete(string status)
        {
            task.Description = $"{task.Description} [grey]{Markup.Escape(status)}[/]";
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
