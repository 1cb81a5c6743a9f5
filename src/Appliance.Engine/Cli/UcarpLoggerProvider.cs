using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Appliance.Engine.Cli;

/// <summary>
/// ucarp's log format (docs/carp-protocol.md, 10.2): on the terminal
/// <c>2026-11-26T10:00:00.123456: [WARNING] Switching to state: MASTER</c> (WARNING and ERROR on stderr,
/// the rest on stdout), and to syslog as <c>appliance[pid]: [WARNING] ...</c> with the level as priority.
/// With several VHIDs in one process each line names its VHID: <c>[eth0/42] ...</c>.
/// Lines are queued and written by a thread of their own: the engine logs while holding its state
/// machine's lock, and a stalled terminal or syslogd must never delay an advert.
/// </summary>
public sealed class UcarpLoggerProvider : ILoggerProvider
{
    private readonly TimeProvider _time;
    private readonly bool _console;
    private readonly bool _debug;
    private readonly bool _prefixVhid;
    private readonly int _facility;
    private readonly Socket? _syslog;
    private readonly BlockingCollection<(LogLevel Level, string Line, DateTimeOffset At)> _queue = new(boundedCapacity: 10_000);
    private readonly Thread _writer;

    public UcarpLoggerProvider(TimeProvider time, bool console, bool debug, string facility, bool prefixVhid)
    {
        _time = time;
        _console = console;
        _debug = debug;
        _prefixVhid = prefixVhid;
        _facility = FacilityCode(facility);
        if (facility != "none" && File.Exists("/dev/log"))
        {
            try
            {
                _syslog = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                _syslog.Connect(new UnixDomainSocketEndPoint("/dev/log"));
            }
            catch (SocketException)
            {
                _syslog?.Dispose();
                _syslog = null;
            }
        }
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "log-writer" };
        _writer.Start();
    }

    public ILogger CreateLogger(string categoryName) => new UcarpLogger(this, VhidPrefix(categoryName));

    /// <summary>Writes what is still queued (bounded wait), then closes syslog.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _writer.Join(TimeSpan.FromSeconds(2));
        _syslog?.Dispose();
    }

    private string VhidPrefix(string category)
    {
        // CarpInstance loggers are named "Appliance.Carp.<interface>.<vhid>".
        const string Prefix = "Appliance.Carp.";
        if (!_prefixVhid || !category.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return "";
        }
        var rest = category[Prefix.Length..];
        var dot = rest.LastIndexOf('.');
        return dot > 0 ? $"[{rest[..dot]}/{rest[(dot + 1)..]}] " : "";
    }

    private void Enqueue(LogLevel level, string text)
    {
        // Full queue (10 000 lines behind): drop rather than block the engine.
        _queue.TryAdd((level, text, _time.GetLocalNow()));
    }

    private void WriteLoop()
    {
        foreach (var (level, text, at) in _queue.GetConsumingEnumerable())
        {
            Write(level, text, at);
        }
    }

    private void Write(LogLevel level, string text, DateTimeOffset at)
    {
        var tag = level switch
        {
            LogLevel.Trace or LogLevel.Debug => "DEBUG",
            LogLevel.Information => "INFO",
            LogLevel.Warning => "WARNING",
            _ => "ERROR",
        };
        var line = $"[{tag}] {text}";
        if (_console)
        {
            var stamp = at.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            var writer = level >= LogLevel.Warning ? Console.Error : Console.Out;
            writer.WriteLine($"{stamp}: {line}");
            writer.Flush();
        }
        if (_syslog is not null)
        {
            var severity = level switch
            {
                LogLevel.Trace or LogLevel.Debug => 7,
                LogLevel.Information => 6,
                LogLevel.Warning => 4,
                LogLevel.Error => 3,
                _ => 2,
            };
            var message = $"<{_facility * 8 + severity}>appliance[{Environment.ProcessId}]: {line}";
            try
            {
                _syslog.Send(Encoding.UTF8.GetBytes(message));
            }
            catch (SocketException)
            {
                // syslogd gone: ucarp also keeps running without it.
            }
        }
    }

    private static int FacilityCode(string name) => name switch
    {
        "kern" => 0,
        "user" => 1,
        "mail" => 2,
        "daemon" => 3,
        "auth" => 4,
        "syslog" => 5,
        "lpr" => 6,
        "news" => 7,
        "uucp" => 8,
        "cron" => 9,
        "authpriv" => 10,
        "ftp" => 11,
        _ when name.StartsWith("local", StringComparison.Ordinal) && name.Length == 6 => 16 + (name[5] - '0'),
        _ => 3,
    };

    private sealed class UcarpLogger(UcarpLoggerProvider provider, string prefix) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && (provider._debug || logLevel >= LogLevel.Information);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var text = formatter(state, exception);
            if (exception is not null)
            {
                text += ": " + exception.Message;
            }
            provider.Enqueue(logLevel, prefix + text);
        }
    }
}
