using System.Globalization;
using Appliance.Engine.StateMachine;
using Microsoft.Extensions.Logging;

namespace Appliance.Engine.Hosting;

/// <summary>
/// The words and level of each <see cref="CarpNotice"/>: ucarp's own lines where ucarp has one (admins grep their
/// syslog for them), ours otherwise. One place, used by every host of the state machine.
/// </summary>
public static class CarpNoticeText
{
    public static (LogLevel Level, string Text) Render(CarpEffect.Notice notice, string interfaceName) => notice.Kind switch
    {
        CarpNotice.PreferredMasterSeen => (LogLevel.Warning, "Preferred master advertised: going back to BACKUP state"),
        CarpNotice.ReassertingVip => (LogLevel.Warning, "Non-preferred master advertising: reasserting control of VIP with another gratuitous arp"),
        CarpNotice.Preempting => (LogLevel.Warning, "Putting MASTER down - preemption"),
        CarpNotice.MasterBowedOut => (LogLevel.Warning, "Putting MASTER DOWN (going to time out)"),
        CarpNotice.LinkDown => (LogLevel.Warning, $"Link down on {interfaceName}: staying BACKUP until carrier returns"),
        CarpNotice.LinkUp => (LogLevel.Information, $"Link up on {interfaceName}"),
        CarpNotice.Demoted => (LogLevel.Warning,
            $"Demoted ({string.Join(", ", Causes(notice))}): advertising {CarpStateMachine.BowOutAdvBase}/{CarpStateMachine.BowOutAdvSkew} so a peer takes over"),
        CarpNotice.DemotionCleared => (LogLevel.Warning, "Demotion cleared: advertising normal priority again"),
        CarpNotice.ConstantCounter => (LogLevel.Warning,
            $"Constant counter 0x{notice.Counter:x16} from {notice.Source} (OpenBSD's cookie?): its repeats are "
            + (notice.Relaxed ? "accepted (replaycheck relaxed)" : "dropped as replays (replaycheck strict)")),
        CarpNotice.PreemptSuppressed => (LogLevel.Warning,
            $"Not preempting the less preferred master {notice.Source}: flapping suppressed, holding BACKUP"),
        _ => throw new ArgumentOutOfRangeException(nameof(notice), notice.Kind, "unknown notice"),
    };

    /// <summary>The split-brain line, the same in the log, the history and `appliance carp`'s output.</summary>
    public static (LogLevel Level, string Text) Render(CarpEffect.SplitBrain splitBrain) =>
        (LogLevel.Warning, $"split brain: another MASTER ({splitBrain.OtherMaster}) seen{(splitBrain.Resolved ? "; resolved" : "")}");

    /// <summary>
    /// The carrier line of the history and the web (docs/carp-protocol.md, 6.7 Carrier): the state machine's own notice
    /// ("Link down on eth0: ...") is the log's, and says nothing when the VHID ignores the interface state.
    /// </summary>
    public static (LogLevel Level, string Text) Carrier(string interfaceName, bool up, bool atStart, bool ignored)
    {
        if (up)
        {
            return (LogLevel.Information, $"Carrier back on {interfaceName}");
        }
        var lost = atStart ? $"No carrier on {interfaceName} at start" : $"Carrier lost on {interfaceName}";
        return (LogLevel.Warning, ignored
            ? $"{lost} (the interface state is ignored for this VHID)"
            : $"{lost}: no adverts are sent or heard, BACKUP until it returns");
    }

    /// <summary>
    /// The flap-damping lines (docs/carp-protocol.md, 6.13), the same in the log, the history and `appliance carp`'s
    /// output: "flapping suppressed: 4 transitions in 3.2 s; holding BACKUP (penalty 3155 above 3000)", "flapping
    /// released after 6.1 s: penalty decayed to the reuse threshold 750", "flapping released after 600 s: the maximum
    /// suppress time (penalty 4100 cleared)".
    /// </summary>
    public static (LogLevel Level, string Text) Render(CarpEffect.Flapping flapping)
    {
        ArgumentNullException.ThrowIfNull(flapping);
        var s = flapping.Settings;
        if (flapping.Suppressed)
        {
            return (LogLevel.Warning, string.Create(CultureInfo.InvariantCulture,
                $"flapping suppressed: {flapping.Transitions} transitions in {Seconds(flapping.Span)} s; holding {flapping.State.ToWire()} (penalty {flapping.Penalty:0} above {s.SuppressThreshold})"));
        }
        return flapping.Capped
            ? (LogLevel.Warning, string.Create(CultureInfo.InvariantCulture,
                $"flapping released after {Seconds(flapping.Span)} s: the maximum suppress time (penalty {flapping.Penalty:0} cleared)"))
            : (LogLevel.Information, string.Create(CultureInfo.InvariantCulture,
                $"flapping released after {Seconds(flapping.Span)} s: penalty decayed to the reuse threshold {s.ReuseThreshold}"));
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

    private static IEnumerable<string> Causes(CarpEffect.Notice notice) =>
        (notice.Maintenance ? ["maintenance"] : Array.Empty<string>()).Concat(notice.Demotions ?? []);
}
