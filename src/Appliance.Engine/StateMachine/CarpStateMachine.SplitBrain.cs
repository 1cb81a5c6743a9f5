using System.Net;

namespace Appliance.Engine.StateMachine;

/// <summary>
/// Split brain (docs/carp-protocol.md, 6.12): a MASTER hearing another MASTER that did not take over from it.
/// Backups never advertise, so every valid advert a MASTER hears comes from a node that is MASTER too; only two
/// of them are ordinary handovers, and both carry our newest counter + 1 (<see cref="IsSplitBrain"/>).
/// </summary>
public sealed partial class CarpStateMachine
{
    private ITimer? _splitBrainTimer;
    private IPAddress? _otherMaster;
    private long _otherMasterQuietAt;
    private bool _farewellExpected;

    /// <summary>The other MASTER of the split brain in progress (we stay MASTER until it goes quiet); null otherwise.</summary>
    public IPAddress? OtherMaster
    {
        get
        {
            lock (_lock)
            {
                return _otherMaster;
            }
        }
    }

    /// <summary>
    /// The one rule: an advert heard while MASTER is a split brain unless it carries <paramref name="newest"/> + 1,
    /// <paramref name="newest"/> being our counter before adopting the advert's (the newest we sent or accepted).
    /// A node that preempts us or takes over after our bow-out adopted our counter first, so its first advert is
    /// our newest + 1; after we took over by preempting or from a bow-out, the old master's farewell advert
    /// ("one more advert, then BACKUP") adopted our takeover advert's counter and is our newest + 1 as well.
    /// Anything else (a healed partition, a backup that timed out because our adverts did not reach it, two
    /// nodes started together) is an independent sequence: a second MASTER.
    /// </summary>
    internal static bool IsSplitBrain(ulong newest, ulong counter) => counter != unchecked(newest + 1);

    /// <summary>
    /// <see cref="IsSplitBrain"/> for an advert we stay MASTER on (a worse master). Our newest + 1 from it is a
    /// handover only as the old master's farewell right after we took over by preempting or from a bow-out, so
    /// only the first advert we accept after such a takeover may be one. Otherwise it is the loser of a healed
    /// partition whose counter was older than ours: it adopted our advert, yielded, and its farewell carries our
    /// newest + 1 (its own adverts before that were older than ours, replays to us; docs/carp-protocol.md, 6.12).
    /// </summary>
    private bool IsSplitBrainWhileStaying(ulong newest, ulong counter)
    {
        var farewell = _farewellExpected;
        _farewellExpected = false;
        return !farewell || IsSplitBrain(newest, counter);
    }

    /// <summary>
    /// We stay MASTER. The first advert of an episode re-announces (the upscript again; the gratuitous ARP and the
    /// advert were just sent) and reports the episode; every advert of the other master while it lasts keeps it
    /// open, so a lasting one-way partition runs the upscript once, not once per advert.
    /// </summary>
    private void WinSplitBrainLocked(List<CarpEffect> fx, IPAddress source, bool splitBrain)
    {
        if (_otherMaster is null)
        {
            if (!splitBrain)
            {
                return;
            }
            _otherMaster = source;
            fx.Add(new CarpEffect.SplitBrain(source, Resolved: false));
            fx.Add(new CarpEffect.Reannounce());
        }
        else if (!_otherMaster.Equals(source) && !splitBrain)
        {
            return;
        }
        ExtendSplitBrainLocked();
    }

    /// <summary>
    /// An advert from the other master that the replay guard dropped: once we have adopted its counter and advertised
    /// on, a master that cannot hear us (a one-way partition) sends counters we have already passed. It is still
    /// there, so the episode stays open; nothing else follows from such an advert.
    /// </summary>
    private void OnReplayFromOtherMasterLocked(IPAddress source)
    {
        if (_state == CarpState.Master && _otherMaster is not null && _otherMaster.Equals(source))
        {
            ExtendSplitBrainLocked();
        }
    }

    /// <summary>Resolved once the other master has been quiet for one master-down interval.</summary>
    private void ExtendSplitBrainLocked()
    {
        _otherMasterQuietAt = _time.GetTimestamp() + (long)(_masterDown.TotalSeconds * _time.TimestampFrequency);
        _splitBrainTimer ??= _time.CreateTimer(static s => ((CarpStateMachine)s!).OnSplitBrainTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _splitBrainTimer.Change(_masterDown, Timeout.InfiniteTimeSpan);
    }

    /// <summary>We yielded (the transition to BACKUP is already in <paramref name="fx"/>): seen and resolved at once.</summary>
    private void YieldSplitBrainLocked(List<CarpEffect> fx, IPAddress source, bool splitBrain)
    {
        if (_otherMaster is null && !splitBrain)
        {
            return;
        }
        if (_otherMaster is null)
        {
            fx.Add(new CarpEffect.SplitBrain(source, Resolved: false));
        }
        var other = _otherMaster ?? source;
        _otherMaster = null;
        _splitBrainTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        fx.Add(new CarpEffect.SplitBrain(other, Resolved: true));
    }

    private void OnSplitBrainTimer()
    {
        var fx = new List<CarpEffect>();
        lock (_lock)
        {
            if (_disposed || _otherMaster is null)
            {
                return;
            }
            var now = _time.GetTimestamp();
            if (now < _otherMasterQuietAt)
            {
                _splitBrainTimer!.Change(_time.GetElapsedTime(now, _otherMasterQuietAt), Timeout.InfiniteTimeSpan);
                return;
            }
            fx.Add(new CarpEffect.SplitBrain(_otherMaster, Resolved: true));
            _otherMaster = null;
            Emit(fx);
        }
    }
}
