using System.Globalization;
using Appliance.Web.Services;
using Appliance.Web.Storage;

namespace Appliance.Web.Components;

/// <summary>How the dashboard writes durations, times, causes and the syslog-style history lines.</summary>
public static class DisplayText
{
    private static readonly Dictionary<string, string> Causes = new(StringComparer.Ordinal)
    {
        ["startup"] = "startup",
        ["masterDownTimeout"] = "master-down timeout",
        ["preempt"] = "preempt",
        ["betterMasterSeen"] = "better master seen",
        ["masterBowedOut"] = "master bowed out",
        ["linkDown"] = "link down",
        ["adminAction"] = "maintenance",
        ["demoted"] = "demoted",
        ["shutdown"] = "shutdown",
        ["splitBrain"] = "split brain",
        ["flapDamping"] = "flap damping",
    };

    private static readonly Dictionary<string, string> Drops = new(StringComparer.Ordinal)
    {
        ["truncated"] = "truncated",
        ["ownPacket"] = "own packet",
        ["notCarp"] = "not CARP",
        ["badTtl"] = "bad TTL",
        ["badVersion"] = "bad version",
        ["wrongVhid"] = "other vhid",
        ["wrongDestination"] = "wrong destination",
        ["notPeer"] = "not a configured peer",
        ["badChecksum"] = "bad checksum",
        ["badDigest"] = "bad digest (password)",
        ["replay"] = "replay",
        ["queueOverflow"] = "receive queue full (kernel)",
    };

    private static readonly Dictionary<string, string> CounterModes = new(StringComparer.Ordinal)
    {
        ["sequential"] = "sequential",
        ["random"] = "random (a master that has heard no one)",
        ["constant"] = "constant (OpenBSD cookie: its repeats are replays unless the replay check is relaxed)",
    };

    /// <summary>A peer's counter mode (docs/replay.md, Counter modes) in words.</summary>
    public static string CounterMode(string wireName) => CounterModes.TryGetValue(wireName, out var text) ? text : wireName;

    /// <summary>Every cause as the API names it, for filters.</summary>
    public static IEnumerable<string> CauseNames => Causes.Keys;

    public static string Cause(string wireName) => Causes.TryGetValue(wireName, out var text) ? text : wireName;

    /// <summary>
    /// Why an entry happened, in words: maintenance says what it did (docs/carp-protocol.md, 6.9), "maintenance: handed
    /// over to the backup" when it began, "maintenance ended: took the VIP back (preempt)" when the node preempted as it
    /// ended, rather than "admin action" or a bare "preempt"; every other cause as <see cref="Cause"/> names it.
    /// </summary>
    public static string CauseText(TransitionDto t) => t switch
    {
        { Cause: "adminAction" } => "maintenance: handed over to the backup",
        { Maintenance: true, Cause: "preempt" } => "maintenance ended: took the VIP back (preempt)",
        _ => Cause(t.Cause),
    };

    public static string Drop(string wireName) => Drops.TryGetValue(wireName, out var text) ? text : wireName;

    /// <summary>"4 s", "2 min 13 s", "3 h 05 min", "2 d 4 h".</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }
        return span.TotalSeconds switch
        {
            < 60 => $"{(int)span.TotalSeconds} s",
            < 3600 => $"{span.Minutes} min {span.Seconds:00} s",
            < 86400 => $"{(int)span.TotalHours} h {span.Minutes:00} min",
            _ => $"{(int)span.TotalDays} d {span.Hours} h",
        };
    }

    /// <summary>An interval from the timing arithmetic: "1 s", "1.039 s", "11.7 ms".</summary>
    public static string Interval(TimeSpan span) => span.TotalSeconds >= 1
        ? span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"
        : span.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture) + " ms";

    public static string Interval(double milliseconds) => Interval(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>Local wall-clock time of the node: "10:43:59".</summary>
    public static string Clock(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>"2026-11-26 10:43:59" in the node's time zone.</summary>
    public static string Timestamp(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>
    /// A transition as syslog shows ucarp's line, so admins' grep habits work on the page too:
    /// "Nov 26 10:43:59 node1 appliance: [WARNING] Switching to state: MASTER (vhid 5 on eth0, cause: master-down timeout)".
    /// </summary>
    public static string SyslogLine(TransitionDto t, string hostName, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(t.At, zone);
        var stamp = string.Create(CultureInfo.InvariantCulture, $"{local:MMM} {local.Day,2} {local:HH:mm:ss}");
        if (t.Kind is HistoryKinds.Demoted or HistoryKinds.DemotionCleared or HistoryKinds.CarrierLost or HistoryKinds.CarrierRestored
            or HistoryKinds.FlapSuppressed or HistoryKinds.FlapReleased)
        {
            // A health check demoting the node (or no longer), the carrier lost or back, flap damping suppressing it (or
            // no longer): no state change, so say the state it was in.
            var level = t.Kind is HistoryKinds.Demoted or HistoryKinds.CarrierLost or HistoryKinds.FlapSuppressed ? "WARNING" : "INFO";
            return $"{stamp} {hostName} appliance: [{level}] {t.LogLine} (vhid {t.Vhid} on {t.Interface}, state {t.To})";
        }
        return $"{stamp} {hostName} appliance: [WARNING] {t.LogLine} (vhid {t.Vhid} on {t.Interface}, cause: {CauseText(t)})";
    }
}
