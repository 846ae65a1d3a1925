using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// Keeps the errors a test's in-process registry logged (an unhandled exception behind a 500, a failed background job),
/// so a test that sees a client fail can show the server's side of it instead of only "500 internal error".
/// </summary>
public sealed class ErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> entries = new();

    /// <summary>Every error logged so far, oldest first, with its category and exception.</summary>
    public IReadOnlyCollection<string> Entries => entries;

    /// <summary>"" when nothing was logged, else the errors as lines to append to a failure message.</summary>
    public string Describe() => entries.IsEmpty ? "" : "\nregistry errors:\n" + string.Join('\n', entries);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(ErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) log.entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
