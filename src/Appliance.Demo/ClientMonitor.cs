using System.Globalization;
using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>
/// What the client in the lab sees, for a person watching: a line when the node serving the VIP
/// changes (with the outage the client saw), failed requests summed up at most every 250 ms, and
/// a compact status once a second (kept at the bottom of a terminal; every 10 s in a log).
/// </summary>
internal sealed class ClientMonitor : IAsyncDisposable
{
    private static readonly TimeSpan FailureFlush = TimeSpan.FromMilliseconds(250);
    private readonly DemoConsole _console;
    private readonly HttpProber _prober;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Dictionary<string, int> _failureReasons = [];
    private string? _servedBy;
    private long _lastSuccessAt;
    private int _failed;
    private int _secondOk;
    private int _secondFailed;
    private readonly Dictionary<string, int> _secondServedBy = [];

    public ClientMonitor(DemoConsole console, HttpProber prober)
    {
        _console = console;
        _prober = prober;
        _prober.Completed += OnCompleted;
        _loop = Task.Run(LoopAsync);
    }

    public async ValueTask DisposeAsync()
    {
        _prober.Completed -= OnCompleted;
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    /// <summary>A short reason for a failed request ("connection refused", "timeout").</summary>
    public static string Reason(ProbeResult result)
    {
        if (result.Error is null)
        {
            return $"HTTP {result.StatusCode}";
        }
        return result.Error switch
        {
            var e when e.Contains("refused", StringComparison.OrdinalIgnoreCase) => "connection refused",
            // HttpClient's own timeout surfaces as "A task was canceled." (the prober stops only on dispose).
            var e when e.Contains("timeout", StringComparison.OrdinalIgnoreCase) || e.Contains("timed out", StringComparison.OrdinalIgnoreCase)
                || e.Contains("canceled", StringComparison.OrdinalIgnoreCase) => "timeout",
            var e when e.Contains("No route", StringComparison.OrdinalIgnoreCase) => "no route to host",
            var e when e.Contains("reset", StringComparison.OrdinalIgnoreCase) => "connection reset",
            var e => e,
        };
    }

    private void OnCompleted(ProbeResult result)
    {
        string? message = null;
        lock (_gate)
        {
            if (result.Succeeded && result.Body is { } body)
            {
                _secondOk++;
                _secondServedBy[body] = _secondServedBy.GetValueOrDefault(body) + 1;
                if (result.SentAt > _lastSuccessAt)
                {
                    if (body != _servedBy)
                    {
                        var gap = _lastSuccessAt == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
                            $" (no answer for {TimeSpan.FromTicks((long)((result.SentAt - _lastSuccessAt) * (double)TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency)).TotalMilliseconds:0} ms before)");
                        message = $"client: http://VIP/ now served by {body}" + (_servedBy is null ? "" : $", was {_servedBy}") + gap;
                        _servedBy = body;
                    }
                    _lastSuccessAt = result.SentAt;
                }
            }
            else
            {
                _failed++;
                _secondFailed++;
                var reason = Reason(result);
                _failureReasons[reason] = _failureReasons.GetValueOrDefault(reason) + 1;
            }
        }
        if (message is not null)
        {
            FlushFailures();
            _console.WriteLine(message);
        }
    }

    private void FlushFailures()
    {
        string? line = null;
        lock (_gate)
        {
            if (_failed > 0)
            {
                var reasons = string.Join(", ", _failureReasons.OrderByDescending(r => r.Value).Select(r => _failureReasons.Count == 1 ? r.Key : $"{r.Value} {r.Key}"));
                line = $"client: {_failed} request{(_failed == 1 ? "" : "s")} failed ({reasons})";
                _failed = 0;
                _failureReasons.Clear();
            }
        }
        if (line is not null)
        {
            _console.WriteLine(line);
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(FailureFlush);
        var ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                FlushFailures();
                if (++ticks % 4 == 0)
                {
                    Status(logLine: ticks % 40 == 0);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        FlushFailures();
    }

    private void Status(bool logLine)
    {
        string status;
        lock (_gate)
        {
            var served = _secondServedBy.Count == 0 ? "nobody" : string.Join("+", _secondServedBy.OrderByDescending(s => s.Value).Select(s => s.Key));
            status = $"client: {_secondOk + _secondFailed} req/s, {_secondOk} ok, {_secondFailed} failed, served by {served}";
            _secondOk = 0;
            _secondFailed = 0;
            _secondServedBy.Clear();
        }
        if (_console.IsTerminal)
        {
            _console.SetStatus(status + "   [1/2 cable, m maint, a apache, k kill, q quit, ? help]");
        }
        else if (logLine)
        {
            _console.WriteLine(status);
        }
    }
}
