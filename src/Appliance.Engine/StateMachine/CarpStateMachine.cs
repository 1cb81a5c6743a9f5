using System.Buffers.Binary;
using System.Net;

namespace Appliance.Engine.StateMachine;

/// <summary>
/// The CARP state machine of one VHID with ucarp's semantics (docs/carp-protocol.md, 6 State machine), plus the
/// BSD bow-out on graceful exits. Synchronous and lock-owned: every input runs under the lock, collects
/// its effects as data and hands them to the sink in order, still under the lock, so that effects of two
/// inputs (a timer and a received advert) can never interleave. The sink must not block. Timers come
/// from the injected <see cref="TimeProvider"/> (tests use FakeTimeProvider).
/// </summary>
public sealed partial class CarpStateMachine : IDisposable
{
    /// <summary>The BSD "bow-out" pair: a master going away advertises the worst possible priority.</summary>
    public const byte BowOutAdvBase = 255;
    public const byte BowOutAdvSkew = 255;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ICarpEffectSink _sink;
    private readonly ITimer _advertTimer;
    private readonly ITimer _masterDownTimer;
    private readonly uint _ownTieKey;
    private readonly long _ownPriority;
    private readonly long _masterDownPriority;
    private readonly TimeSpan _advertInterval;
    private readonly TimeSpan _masterDown;

    private CarpState _state = CarpState.Init;
    private readonly ReplayGuard _replay = new();
    private int _delayedArp;
    private bool _linkUp = true;
    private bool _maintenance;
    private readonly Dictionary<string, string> _demotions = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<string> _demotionList = [];
    private long _masterDownDeadline;
    private long _holdUntil;
    private bool _stopping;
    private bool _stopped;
    private bool _disposed;

    /// <summary>Every effect, periodic adverts included, reaches <paramref name="sink"/> as a <see cref="CarpEffect"/>.</summary>
    public CarpStateMachine(VhidConfig config, IPAddress sourceAddress, TimeProvider timeProvider, Action<CarpEffect> sink)
        : this(config, sourceAddress, timeProvider, new DelegateSink(sink))
    {
    }

    public CarpStateMachine(VhidConfig config, IPAddress sourceAddress, TimeProvider timeProvider, ICarpEffectSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Config = config;
        SourceAddress = sourceAddress;
        _time = timeProvider;
        _sink = sink;
        _ownTieKey = TieKey(sourceAddress);
        _ownPriority = CarpTiming.Priority(config.AdvBase, config.AdvSkew);
        _advertInterval = CarpTiming.AdvertInterval(config.AdvBase, config.AdvSkew);
        _masterDown = CarpTiming.MasterDown(config.AdvBase, config.AdvSkew, config.DeadRatio);
        // ucarp compares (advbase x deadratio, own skew) with the master's (advbase, advskew) to decide
        // whether that master would time out anyway; with advbase 0 our master-down replaces it.
        _masterDownPriority = config.AdvBase == 0
            ? (long)_masterDown.TotalMicroseconds
            : config.AdvBase * (long)config.DeadRatio * 1_000_000L + CarpTiming.SkewMicroseconds(config.AdvSkew);
        _advertTimer = timeProvider.CreateTimer(static s => ((CarpStateMachine)s!).OnAdvertTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _masterDownTimer = timeProvider.CreateTimer(static s => ((CarpStateMachine)s!).OnMasterDownTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _flap = config.FlapDamping.Enabled ? new FlapDamper(config.FlapDamping, timeProvider) : null;
        _flapSnapshot = _flap?.Snapshot();
    }

    public VhidConfig Config { get; }

    public IPAddress SourceAddress { get; }

    public CarpState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>The newest counter this VHID has sent or accepted (docs/replay.md); null before the first.</summary>
    public ulong? NewestCounter
    {
        get
        {
            lock (_lock)
            {
                return _replay.Newest;
            }
        }
    }

    /// <summary>True while maintenance or any demotion is in force: we advertise the bow-out pair and never preempt.</summary>
    public bool IsDemoted
    {
        get
        {
            lock (_lock)
            {
                return DemotedLocked;
            }
        }
    }

    private bool DemotedLocked => _maintenance || _demotions.Count > 0 || _stopping;

    /// <summary>INIT to BACKUP ("Switching to state: BACKUP", downscript unless neutral), then wait master-down.</summary>
    public void Start(bool linkUp)
    {
        var fx = new List<CarpEffect>();
        lock (_lock)
        {
            if (_state != CarpState.Init || _disposed)
            {
                return;
            }
            _linkUp = linkUp || Config.IgnoreInterfaceState;
            SetState(fx, CarpState.Backup, TransitionCause.Startup, runScripts: !Config.Neutral);
            if (_linkUp)
            {
                ArmMasterDown(_masterDown);
            }
            Emit(fx);
        }
    }

    /// <summary>
    /// A valid advert from another node (the codec has already checked TTL, version, vhid, checksum and HMAC).
    /// The replay guard judges its counter first (docs/replay.md); a replay changes nothing.
    /// </summary>
    public AdvertVerdict OnAdvert(IPAddress source, byte advbase, byte advskew, ulong counter)
    {
        var fx = new List<CarpEffect>();
        lock (_lock)
        {
            if (_state == CarpState.Init || _disposed || _stopped)
            {
                return new AdvertVerdict(true, _replay.PeerMode, _replay.Newest);
            }
            var verdict = _replay.Check(source, counter, _state == CarpState.Backup, Config.ReplayCheck, out var constant);
            if (constant)
            {
                _sink.Apply(new CarpEffect.Notice(CarpNotice.ConstantCounter, Source: source, Counter: counter, Relaxed: Config.ReplayCheck == ReplayCheck.Relaxed));
            }
            if (verdict == ReplayVerdict.Replay)
            {
                OnReplayFromOtherMasterLocked(source);
                return new AdvertVerdict(false, _replay.PeerMode, _replay.Newest);
            }
            var newest = _replay.Newest.GetValueOrDefault(); // a MASTER has always sent, so it is set
            // ucarp adopts the counter of every valid advert, in any state (docs/carp-protocol.md, 3.3 Counter).
            _replay.Accept(source, counter);
            var accepted = new AdvertVerdict(true, _replay.PeerMode, counter);
            if (!_linkUp)
            {
                return accepted;
            }
            var theirs = CarpTiming.Priority(advbase, advskew);
            var ours = EffectivePriority;
            switch (_state)
            {
                case CarpState.Master:
                    if (ours > theirs || (ours == theirs && TieKey(source) < _ownTieKey))
                    {
                        // ucarp: one more advert, then BACKUP, then re-arm master-down.
                        fx.Add(NextAdvert());
                        SetState(fx, CarpState.Backup, _stopping ? TransitionCause.Shutdown : DemotedLocked ? DemotionCause : TransitionCause.BetterMasterSeen, runScripts: true);
                        ArmMasterDown(_masterDown);
                        fx.Add(new CarpEffect.Notice(CarpNotice.PreferredMasterSeen));
                        YieldSplitBrainLocked(fx, source, IsSplitBrain(newest, counter));
                        if (_stopping)
                        {
                            CompleteStopLocked(fx);
                        }
                    }
                    else
                    {
                        fx.Add(new CarpEffect.SendGratuitousArp());
                        _delayedArp = 2;
                        fx.Add(new CarpEffect.Notice(CarpNotice.ReassertingVip));
                        // Not in ucarp: answer at once so the other master yields now, not at our next tick.
                        fx.Add(NextAdvert());
                        WinSplitBrainLocked(fx, source, IsSplitBrainWhileStaying(newest, counter));
                    }
                    break;
                case CarpState.Backup:
                    var preempt = Config.Preempt && !DemotedLocked && ours < theirs;
                    if (preempt && !FlapSuppressedLocked)
                    {
                        BecomeMaster(fx, TransitionCause.Preempt);
                        fx.Add(new CarpEffect.Notice(CarpNotice.Preempting));
                    }
                    else if (_masterDownPriority < theirs && !_stopping)
                    {
                        BecomeMaster(fx, TransitionCause.MasterBowedOut);
                        fx.Add(new CarpEffect.Notice(CarpNotice.MasterBowedOut));
                    }
                    else
                    {
                        if (preempt)
                        {
                            // Flapping suppressed (6.13): we would preempt, and hold BACKUP instead.
                            SuppressPreemptLocked(fx, source);
                        }
                        ArmMasterDown(_masterDown);
                    }
                    break;
            }
            Emit(fx);
            return accepted;
        }
    }

    /// <summary>Carrier changed. Without --ignoreifstate, losing it forces BACKUP; regaining it re-arms master-down.</summary>
    public void OnLinkChanged(bool up)
    {
        var fx = new List<CarpEffect>();
        lock (_lock)
        {
            if (Config.IgnoreInterfaceState || _linkUp == up || _disposed || _stopped)
            {
                return;
            }
            _linkUp = up;
            if (_state == CarpState.Init)
            {
                return;
            }
            if (!up)
            {
                StopTimers();
                if (_state == CarpState.Master)
                {
                    SetState(fx, CarpState.Backup, TransitionCause.LinkDown, runScripts: true);
                }
                fx.Add(new CarpEffect.Notice(CarpNotice.LinkDown));
                if (_stopping)
                {
                    CompleteStopLocked(fx);
                }
            }
            else
            {
                fx.Add(new CarpEffect.Notice(CarpNotice.LinkUp));
                // The segment may have restarted while we were away (docs/replay.md, Link down and up).
                _replay.ForgetNewest();
                ArmMasterDown(_masterDown);
            }
            Emit(fx);
        }
    }

    /// <summary>
    /// ucarp's SIGUSR2: if not BACKUP, go BACKUP and stay quiet for <paramref name="hold"/> (3 s in ucarp)
    /// before the master-down timer runs again, so another node takes over.
    /// </summary>
    public void ForceBackup(TimeSpan hold)
    {
        var fx = new List<CarpEffect>();
        lock (_lock)
        {
            if (_state != CarpState.Master || _disposed || _stopping)
            {
                return;
            }
            StopTimers();
            SetState(fx, CarpState.Backup, TransitionCause.AdminAction, runScripts: true);
            _holdUntil = _time.GetTimestamp() + (long)(hold.TotalSeconds * _time.TimestampFrequency);
            ArmMasterDown(hold + _masterDown);
            Emit(fx);
        }
    }

    /// <summary>Persistent maintenance (pfSense): advertise the bow-out pair so a peer takes over; never preempt.</summary>
    public void SetMaintenance(bool enabled)
    {
        var fx = new List<CarpEffect>();
        lock (_lock)
        {
            if (_maintenance == enabled || _disposed)
            {
                return;
            }
            var wasDemoted = DemotedLocked;
            _maintenance = enabled;
            OnDemotionChangedLocked(fx, wasDemoted);
            Emit(fx);
        }
    }

    /// <summary>Demotes (reason non-null) or restores (null) on behalf of a source such as a health check.</summary>
    public void SetDemotion(string source, string? reason)
    {
        var fx = new List<CarpEffect>();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            var wasDemoted = DemotedLocked;
            if (reason is null)
            {
                if (!_demotions.Remove(source))
                {
                    return;
                }
            }
            else
            {
                if (_demotions.TryGetValue(source, out var old) && old == reason)
                {
                    return;
                }
                _demotions[source] = reason;
            }
            _demotionList = DemotionListLocked();
            OnDemotionChangedLocked(fx, wasDemoted);
            Emit(fx);
        }
    }

    /// <summary>The reasons this VHID is demoted besides maintenance ("HTTP check web: GET ... returned 503, expected 200").</summary>
    /// <remarks>
    /// Read without the machine's lock (a copy made on every change): status readers (every API request, the
    /// dashboard) must never hold the lock that the advert timer needs, or a reader preempted inside it would make
    /// the real-time timer thread wait behind ordinary threads (docs/carp-protocol.md, 4.5).
    /// </remarks>
    public IReadOnlyList<string> Demotions => _demotionList;

    /// <summary>
    /// Graceful stop. A MASTER advertises the bow-out pair and keeps the VIP until a peer's advert shows it has
    /// claimed it (or <paramref name="peerWait"/> passes, e.g. when there is no peer), then goes BACKUP (VIP
    /// released, downscript) and emits <see cref="CarpEffect.Stopped"/>. A BACKUP stops at once.
    /// </summary>
    public void Stop(TimeSpan peerWait)
    {
        var fx = new List<CarpEffect>();
        lock (_lock)
        {
            if (_stopping || _stopped || _disposed)
            {
                return;
            }
            _stopping = true;
            _masterDownTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (_state == CarpState.Master && _linkUp)
            {
                fx.Add(NextAdvert());
                _masterDownDeadline = _time.GetTimestamp() + (long)(peerWait.TotalSeconds * _time.TimestampFrequency);
                // Reuse the master-down timer as the "no peer answered" deadline.
                _masterDownTimer.Change(peerWait, Timeout.InfiniteTimeSpan);
            }
            else
            {
                if (_state == CarpState.Master)
                {
                    SetState(fx, CarpState.Backup, TransitionCause.Shutdown, runScripts: true);
                }
                CompleteStopLocked(fx);
            }
            Emit(fx);
        }
    }

    /// <summary>ucarp's SIGUSR1 line: "MASTER on eth0 id 42".</summary>
    public string Describe()
    {
        lock (_lock)
        {
            return $"{(_state == CarpState.Backup ? "BACKUP" : "MASTER")} on {Config.Interface} id {Config.Vhid}";
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }
        _advertTimer.Dispose();
        _masterDownTimer.Dispose();
        _splitBrainTimer?.Dispose();
        _flapTimer?.Dispose();
    }

    private long EffectivePriority => DemotedLocked
        ? CarpTiming.Priority(BowOutAdvBase, BowOutAdvSkew)
        : _ownPriority;

    private TransitionCause DemotionCause => _maintenance ? TransitionCause.AdminAction : TransitionCause.Demoted;

    private void OnDemotionChangedLocked(List<CarpEffect> fx, bool wasDemoted)
    {
        var demoted = DemotedLocked;
        if (demoted == wasDemoted)
        {
            return;
        }
        if (demoted)
        {
            fx.Add(new CarpEffect.Notice(CarpNotice.Demoted, _maintenance, DemotionListLocked()));
            if (_state == CarpState.Master && _linkUp)
            {
                // Bow out now; we keep the VIP until the peer's advert shows it has claimed it.
                fx.Add(NextAdvert());
            }
        }
        else
        {
            fx.Add(new CarpEffect.Notice(CarpNotice.DemotionCleared));
            if (_state == CarpState.Master && _linkUp)
            {
                fx.Add(NextAdvert());
            }
        }
    }

    // The reasons are whole sentences that name their source ("HTTP check web: GET ... returned 503");
    // the source key only tells demotions apart. Maintenance is a flag of its own, not one of them.
    private List<string> DemotionListLocked() => _demotions.Values.ToList();

    /// <summary>
    /// A MASTER's periodic advert: the hot path (255 VHIDs at 78 ms are 3 264 a second), so it builds no effect
    /// list and no record and hands the advert's fields to <see cref="ICarpEffectSink.SendAdvert"/>.
    /// </summary>
    private void OnAdvertTimer()
    {
        lock (_lock)
        {
            if (_state != CarpState.Master || _disposed || _stopped || !_linkUp)
            {
                return;
            }
            var counter = NextCounter();
            var (advbase, advskew) = AdvertisedPair;
            _sink.SendAdvert(advbase, advskew, counter);
            // ucarp: a delayed gratuitous ARP right after the 3rd advert as MASTER (docs/carp-protocol.md, 6.6).
            if (_delayedArp > 0 && --_delayedArp == 0)
            {
                _sink.Apply(new CarpEffect.SendGratuitousArp());
            }
        }
    }

    private void OnMasterDownTimer()
    {
        var fx = new List<CarpEffect>();
        lock (_lock)
        {
            if (_disposed || _stopped)
            {
                return;
            }
            var now = _time.GetTimestamp();
            if (now < _masterDownDeadline)
            {
                // Either re-armed after this callback was queued, or the timer fired a hair early:
                // wait out the rest of the current deadline.
                _masterDownTimer.Change(_time.GetElapsedTime(now, _masterDownDeadline), Timeout.InfiniteTimeSpan);
                return;
            }
            if (_stopping)
            {
                // No peer claimed the VIP in time: release it anyway, we are going away.
                if (_state == CarpState.Master)
                {
                    SetState(fx, CarpState.Backup, TransitionCause.Shutdown, runScripts: true);
                }
                CompleteStopLocked(fx);
            }
            else if (_state == CarpState.Backup && _linkUp)
            {
                if (now < _holdUntil)
                {
                    // Still in the SIGUSR2 quiet period: look again once it is over.
                    ArmMasterDown(_time.GetElapsedTime(now, _holdUntil) + _masterDown);
                }
                else
                {
                    BecomeMaster(fx, TransitionCause.MasterDownTimeout);
                }
            }
            Emit(fx);
        }
    }

    private void BecomeMaster(List<CarpEffect> fx, TransitionCause cause)
    {
        _masterDownTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // ucarp order (docs/carp-protocol.md, 6.2): log, upscript, gratuitous ARP, advert, then adverts every interval.
        SetState(fx, CarpState.Master, cause, runScripts: true);
        _farewellExpected = cause is TransitionCause.Preempt or TransitionCause.MasterBowedOut;
        _replay.ForgetPeer();
        fx.Add(new CarpEffect.SendGratuitousArp());
        fx.Add(NextAdvert());
        _delayedArp = 2;
        _advertTimer.Change(_advertInterval, _advertInterval);
    }

    private void SetState(List<CarpEffect> fx, CarpState to, TransitionCause cause, bool runScripts)
    {
        var from = _state;
        _state = to;
        if (to != CarpState.Master)
        {
            _advertTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        fx.Add(new CarpEffect.Transition(from, to, cause, runScripts));
        RecordFlapLocked(fx, to, cause);
    }

    private CarpEffect.SendAdvert NextAdvert()
    {
        var counter = NextCounter();
        var (advbase, advskew) = AdvertisedPair;
        return new CarpEffect.SendAdvert(advbase, advskew, counter);
    }

    /// <summary>What an advert carries now: the bow-out pair while demoted, else ours.</summary>
    private (byte AdvBase, byte AdvSkew) AdvertisedPair => DemotedLocked
        ? (BowOutAdvBase, BowOutAdvSkew)
        : (Config.AdvBase, Config.AdvSkew);

    /// <summary>One random start, then +1 per advert, continuing from every adopted counter (docs/carp-protocol.md, 3.3).</summary>
    private ulong NextCounter() => _replay.NextOwn();

    private void ArmMasterDown(TimeSpan after)
    {
        _masterDownDeadline = _time.GetTimestamp() + (long)(after.TotalSeconds * _time.TimestampFrequency);
        _masterDownTimer.Change(after, Timeout.InfiniteTimeSpan);
    }

    private void StopTimers()
    {
        _advertTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _masterDownTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void CompleteStopLocked(List<CarpEffect> fx)
    {
        StopTimers();
        _stopped = true;
        fx.Add(new CarpEffect.Stopped());
    }

    private void Emit(List<CarpEffect> fx)
    {
        foreach (var effect in fx)
        {
            _sink.Apply(effect);
        }
    }

    private sealed class DelegateSink(Action<CarpEffect> apply) : ICarpEffectSink
    {
        public void Apply(CarpEffect effect) => apply(effect);
    }

    /// <summary>
    /// ucarp compares source addresses as the raw s_addr read as a host integer; on x86 (little-endian)
    /// that is the last octet first (docs/carp-protocol.md, 6.5 Tie-break). We do the same so mixed clusters agree.
    /// </summary>
    internal static uint TieKey(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        return address.TryWriteBytes(bytes, out var n) && n == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : 0;
    }
}
