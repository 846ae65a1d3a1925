using RuntimeAgent.Store;
using Spectre.Console;

namespace RuntimeAgent.Cli;

/// <summary>One progress bar per blob on a terminal; status messages are printed once the bars are done.</summary>
public sealed class SpectreProgress(ProgressContext context) : IPullProgress
{
    private readonly List<string> messages = [];

    public IReadOnlyList<string> Messages => messages;

    public ITransferProgress Begin(string label, long size) =>
        new Transfer(context.AddTask(Markup.Escape(label), maxValue: Math.Max(1, size)));

    public void Message(string text)
    {
        lock (messages) messages.Add(text);
    }

    /// <summary>Runs a pull under live progress bars, then prints the messages it collected.</summary>
    public static async Task<T> RunAsync<T>(Func<IPullProgress, Task<T>> pull)
    {
        SpectreProgress? progress = null;
        try
        {
            return await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                         new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(context => pull(progress = new SpectreProgress(context)));
        }
        finally
        {
            foreach (var message in progress?.Messages ?? []) AnsiConsole.WriteLine(message);
        }
    }

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
