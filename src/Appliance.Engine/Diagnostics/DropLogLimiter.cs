using Appliance.Engine.Protocol;

namespace Appliance.Engine.Diagnostics;

/// <summary>
/// Bounds the log lines of dropped packets for one VHID (docs/carp-protocol.md, 5.3 Drops under a flood): per
/// reason, the first <see cref="Burst"/> drops of an interval are logged in full, the rest only counted, and each
/// interval that suppressed some ends in one summary line. The drop counters never go through here: they stay
/// exact. Pure: the caller passes the time (a <see cref="TimeProvider"/> timestamp); not thread-safe, the caller
/// serialises.
/// </summary>
public sealed class DropLogLimiter(TimeSpan interval, TimeProvider time)
{
    /// <summary>Drops logged in full per reason and interval.</summary>
    public const int Burst = 5;

    /// <summary>The interval of the product: "suppressed N bad digest drops in the last 10 s".</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly Window[] _windows = new Window[Enum.GetValues<DropReason>().Length];
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);

    public TimeSpan Interval => interval;

    /// <summary>True when this drop is to be logged in full; false when it is only counted for the next summary.</summary>
    public bool ShouldLog(DropReason reason)
    {
        var now = time.GetTimestamp();
        ref var w = ref _windows[(int)reason];
        if (!w.Open || now - w.Start >= _intervalTicks)
        {
            if (w.Open && w.Suppressed > 0)
            {
                // A summary is still owed for the interval that just ended; it goes out with the next TakeSummaries.
                w.Owed += w.Suppressed;
            }
            w = w with { Open = true, Start = now, Logged = 0, Suppressed = 0 };
        }
        if (w.Logged < Burst)
        {
            w.Logged++;
            return true;
        }
        w.Suppressed++;
        return false;
    }

    /// <summary>
    /// The summary lines of every interval that has ended with suppressed drops ("suppressed 12 bad digest drops in
    /// the last 10 s"), in reason order; call it at least once per interval.
    /// </summary>
    public List<(DropReason Reason, string Line)> TakeSummaries()
    {
        var now = time.GetTimestamp();
        var lines = new List<(DropReason, string)>();
        for (var i = 0; i < _windows.Length; i++)
        {
            ref var w = ref _windows[i];
            var ended = w.Open && now - w.Start >= _intervalTicks;
            var count = w.Owed + (ended ? w.Suppressed : 0);
            if (ended)
            {
                // The next drop of this reason opens a new interval and is logged in full again.
                w = default;
            }
            w.Owed = 0;
            if (count > 0)
            {
                lines.Add(((DropReason)i, Summary((DropReason)i, count, interval)));
            }
        }
        return lines;
    }

    /// <summary>The one wording of a summary line.</summary>
    public static string Summary(DropReason reason, long count, TimeSpan interval) =>
        $"suppressed {count} {Describe(reason)} drop{(count == 1 ? "" : "s")} in the last {interval.TotalSeconds:0.###} s";

    /// <summary>A reason in words, as the summary names it.</summary>
    public static string Describe(DropReason reason) => reason switch
    {
        DropReason.Truncated => "truncated",
        DropReason.OwnPacket => "own packet",
        DropReason.NotCarp => "not CARP",
        DropReason.BadTtl => "bad TTL",
        DropReason.BadVersion => "bad version",
        DropReason.WrongVhid => "wrong vhid",
        DropReason.WrongDestination => "wrong destination",
        DropReason.NotPeer => "not a configured peer",
        DropReason.BadChecksum => "bad checksum",
        DropReason.BadDigest => "bad digest",
        DropReason.Replay => "replay",
        DropReason.QueueOverflow => "receive queue overflow",
        _ => reason.ToString(),
    };

    private record struct Window(bool Open, long Start, int Logged, long Suppressed, long Owed);
}
