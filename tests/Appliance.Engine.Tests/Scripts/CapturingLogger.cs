using Microsoft.Extensions.Logging;

namespace Appliance.Engine.Tests.Scripts;

/// <summary>One formatted log line.</summary>
internal sealed record LogLine(LogLevel Level, EventId EventId, string Message);

/// <summary>An ILogger (and factory) that keeps every formatted line, thread-safe.</summary>
internal sealed class CapturingLogger : ILogger, ILoggerFactory
{
    private readonly Lock _lock = new();
    private readonly List<LogLine> _lines = [];

    public IReadOnlyList<LogLine> Lines
    {
        get
        {
            lock (_lock)
            {
                return _lines.ToList();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
        {
            _lines.Add(new LogLine(logLevel, eventId, formatter(state, exception)));
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
