using System.Threading.Channels;
using Appliance.Engine.Diagnostics;
using Appliance.Engine.Protocol;
using Microsoft.Extensions.Logging;

namespace Appliance.Engine.Hosting;

/// <summary>
/// Dropped packets (docs/carp-protocol.md, 5.3 Drops under a flood): every drop is counted at once on the receive
/// thread; the few that <see cref="DropLogLimiter"/> lets through, and its summaries, are handed to a small queue
/// that a background task writes to the log, so a flood never makes the receive thread wait on a log sink.
/// </summary>
public sealed partial class CarpInstance
{
    /// <summary>Lines waiting for the writer; with the limiter's burst per reason it never fills in practice.</summary>
    internal const int DropLogQueueLength = 64;

    private readonly Lock _dropLogLock = new();
    private readonly Channel<(DropReason Reason, string Line)> _dropLines =
        Channel.CreateBounded<(DropReason, string)>(new BoundedChannelOptions(DropLogQueueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private DropLogLimiter? _dropLog;
    private ITimer? _dropSummaryTimer;
    private Task? _dropLogWriter;
    private long _dropLinesLost;

    /// <summary>Counts a drop and, within the limiter's bounds, queues its line. Never blocks.</summary>
    private void RecordDrop(DropReason reason, string? detail)
    {
        Interlocked.Increment(ref _drops[(int)reason]);
        if (reason is DropReason.OwnPacket or DropReason.NotCarp or DropReason.Truncated)
        {
            // ucarp ignores these silently (docs/carp-protocol.md, 5.1 checks 1-3); they are still counted.
            return;
        }
        bool log;
        lock (_dropLogLock)
        {
            if (_dropLog is null)
            {
                return;
            }
            log = _dropLog.ShouldLog(reason);
            // The summary timer exists only once something was suppressed: a quiet segment costs no timer.
            _dropSummaryTimer ??= log ? null : _time.CreateTimer(static s => ((CarpInstance)s!).QueueDropSummaries(), this, _dropLog.Interval, _dropLog.Interval);
        }
        if (log)
        {
            QueueDropLine(reason, detail ?? reason.ToString());
        }
    }

    private void QueueDropLine(DropReason reason, string line)
    {
        if (!_dropLines.Writer.TryWrite((reason, line)))
        {
            Interlocked.Increment(ref _dropLinesLost);
        }
    }

    private void StartDropLog()
    {
        _dropLog = new DropLogLimiter(DropLogLimiter.DefaultInterval, _time);
        _dropLogWriter = Task.Run(WriteDropLinesAsync);
    }

    private void QueueDropSummaries()
    {
        List<(DropReason Reason, string Line)> summaries;
        lock (_dropLogLock)
        {
            if (_dropLog is null)
            {
                return;
            }
            summaries = _dropLog.TakeSummaries();
        }
        foreach (var (reason, line) in summaries)
        {
            QueueDropLine(reason, line);
        }
        var lost = Interlocked.Exchange(ref _dropLinesLost, 0);
        if (lost > 0)
        {
            LogDropLinesLost(lost);
        }
    }

    private async Task WriteDropLinesAsync()
    {
        await foreach (var (reason, line) in _dropLines.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (reason is DropReason.WrongVhid or DropReason.WrongDestination)
            {
                LogDropDebug(line);
            }
            else
            {
                LogDrop(line);
            }
        }
    }

    /// <summary>Stops the summaries and waits for the writer to write what is queued.</summary>
    private async Task StopDropLogAsync()
    {
        ITimer? timer;
        lock (_dropLogLock)
        {
            timer = _dropSummaryTimer;
            _dropLog = null;
        }
        if (timer is not null)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
        _dropLines.Writer.TryComplete();
        if (_dropLogWriter is not null)
        {
            await _dropLogWriter.ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = LogEventIds.EngineHosting + 13, Level = LogLevel.Warning, Message = "{Count} drop log lines lost: the log writer fell behind")]
    private partial void LogDropLinesLost(long count);
}
