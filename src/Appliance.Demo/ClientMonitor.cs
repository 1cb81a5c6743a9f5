using System.Diagnostics;
using Appliance.Lab;

namespace Appliance.Demo;

/// <summary>
/// What the client in the lab sees, for a person watching: the lines of <see cref="ClientReport"/> (the first
/// election awaited, then a line per outage or change of node, with every failed request counted into the outage it
/// was sent in) and a compact status once a second (kept at the bottom of a terminal; every 10 s in a log).
/// </summary>
internal sealed class ClientMonitor : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private readonly DemoConsole _console;
    private readonly HttpProber _prober;
    private readonly ClientReport _report;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _secondOk;
    private int _secondFailed;
    private readonly Dictionary<string, int> _secondServedBy = [];

    public ClientMonitor(DemoConsole console, HttpProber prober, TimeSpan requestTimeout)
    {
        _console = console;
        _prober = prober;
        _report = new ClientReport(requestTimeout);
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

    /// <summary>The VHIDs were configured from <paramref name="configuredAt"/> on: says what the client waits for (<see cref="ClientReport.ElectionStarted"/>).</summary>
    public void ElectionStarted(long configuredAt, string preferred, TimeSpan preferredMasterDown, string other, TimeSpan otherMasterDown) =>
        Write(_report.ElectionStarted(configuredAt, preferred, preferredMasterDown, other, otherMasterDown));

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
        lock (_gate)
        {
            if (result.Succeeded && result.Body is { } body)
            {
                _secondOk++;
                _secondServedBy[body] = _secondServedBy.GetValueOrDefault(body) + 1;
            }
            else
            {
                _secondFailed++;
            }
        }
        Write(_report.Completed(result, Stopwatch.GetTimestamp()));
    }

    private void Write(IReadOnlyList<string> lines)
    {
        foreach (var line in lines)
        {
            _console.WriteLine(line);
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Tick);
        var ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Write(_report.Tick(Stopwatch.GetTimestamp()));
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
        Write(_report.Flush(Stopwatch.GetTimestamp()));
    }

    private void Status(bool logLine)
    {
        string status;
        lock (_gate)
        {
            var served = _secondServedBy.Count == 0
                ? _report.WaitingForFirstElection ? "nobody yet (waiting for the first election)" : "nobody"
                : string.Join("+", _secondServedBy.OrderByDescending(s => s.Value).Select(s => s.Key));
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
