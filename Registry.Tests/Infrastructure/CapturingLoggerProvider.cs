using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Registry.Tests.Infrastructure;

/// <summary>Every line an in-process registry logs, at every level, for tests that check what never reaches the logs
/// (pass <c>builder => builder.Logging.AddProvider(logs)</c> and <c>Logging:LogLevel:Default=Trace</c>).</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
