using System.Net;

namespace Appliance.Engine.StateMachine;

/// <summary>
/// Flap damping (docs/carp-protocol.md, 6.13): every transition the protocol caused adds a penalty in the
/// <see cref="FlapDamper"/>; while it is suppressed the VHID holds its role. What it holds back is the one
/// transition a node chooses for itself, preemption. Every forced one still happens, for safety: a BACKUP takes
/// over when the master goes silent (master-down) or bows out, carrier loss forces BACKUP, and a MASTER still
/// yields to a better master's advert, since that advert means two masters hold the VIP right now and the better
/// one does not yield to ours (6.3).
/// </summary>
public sealed partial class CarpStateMachine
{
    private readonly FlapDamper? _flap;
    private volatile FlapSnapshot? _flapSnapshot;
    private ITimer? _flapTimer;
    private bool _preemptSuppressedSaid;

    /// <summary>The flap damping now (penalty decayed to this moment); null when it is off for this VHID.</summary>
    /// <remarks>
    /// Read without the machine's lock, from a copy made at every change (as the demotions): status readers must not
    /// hold the lock the advert timer needs (docs/carp-protocol.md, 4.5).
    /// </remarks>
    public FlapStatus? Flapping => _flapSnapshot is { } s ? new FlapStatus(s.Suppressed, s.Since, s.PenaltyNow(_time)) : null;

    private bool FlapSuppressedLocked => _flap is { Suppressed: true };

    /// <summary>
    /// Transitions the protocol caused count; the start, an admin's action (maintenance, SIGUSR2, configuration) and
    /// the stop do not: they are not flapping, and an admin's maintenance must not leave the VHID suppressed.
    /// </summary>
    private static bool CountsAsFlap(TransitionCause cause) =>
        cause is not (TransitionCause.Startup or TransitionCause.AdminAction or TransitionCause.Shutdown);

    /// <summary>Called by <see cref="SetState"/> after the transition's effect: the penalty, and the start of a suppression.</summary>
    private void RecordFlapLocked(List<CarpEffect> fx, CarpState to, TransitionCause cause)
    {
        if (_flap is null || !CountsAsFlap(cause))
        {
            return;
        }
        var started = _flap.RecordTransition();
        _flapSnapshot = _flap.Snapshot();
        if (started)
        {
            _preemptSuppressedSaid = false;
            fx.Add(new CarpEffect.Flapping(true, to, _flap.Penalty, _flap.Transitions, _flap.TransitionSpan, _flap.Config));
        }
        if (_flap.Suppressed)
        {
            // A transition while suppressed raised the penalty: the release moves later.
            ArmFlapTimerLocked();
        }
    }

    /// <summary>A preempting BACKUP that hears a less preferred master and holds back: said once per suppression.</summary>
    private void SuppressPreemptLocked(List<CarpEffect> fx, IPAddress source)
    {
        if (_preemptSuppressedSaid)
        {
            return;
        }
        _preemptSuppressedSaid = true;
        fx.Add(new CarpEffect.Notice(CarpNotice.PreemptSuppressed, Source: source));
    }

    private void ArmFlapTimerLocked()
    {
        _flapTimer ??= _time.CreateTimer(static s => ((CarpStateMachine)s!).OnFlapTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // At least one tick: a zero due time may run the callback inside Change, under this very lock.
        var until = _flap!.UntilRelease() ?? Timeout.InfiniteTimeSpan;
        _flapTimer.Change(until == TimeSpan.Zero ? TimeSpan.FromTicks(1) : until, Timeout.InfiniteTimeSpan);
    }

    private void OnFlapTimer()
    {
        var fx = new List<CarpEffect>();
        lock (_lock)
        {
            if (_disposed || _flap is null)
            {
                return;
            }
            var count = _flap.Transitions;
            var release = _flap.TryRelease();
            _flapSnapshot = _flap.Snapshot();
            if (release is not null)
            {
                fx.Add(new CarpEffect.Flapping(false, _state, release.Penalty, count, release.SuppressedFor, _flap.Config, release.Capped));
            }
            else if (_flap.Suppressed)
            {
                // Fired a hair early: wait out the rest.
                ArmFlapTimerLocked();
            }
            Emit(fx);
        }
    }
}

/// <summary>
/// A VHID's flap damping as the status shows it: suppressed or not, since when, and the penalty decayed to the
/// moment it was read (docs/carp-protocol.md, 6.13).
/// </summary>
public sealed record FlapStatus(bool Suppressed, DateTimeOffset? Since, double Penalty);
