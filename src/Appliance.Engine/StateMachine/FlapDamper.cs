namespace Appliance.Engine.StateMachine;

/// <summary>
/// The penalty arithmetic of flap damping (docs/carp-protocol.md, 6.13; RFC 2439's figure of merit): the penalty
/// is kept as a value at a timestamp and decayed exponentially when read, so nothing runs between transitions.
/// Time comes from the injected <see cref="TimeProvider"/> (the state machine's). Not thread-safe: the state
/// machine calls it under its lock and owns the timer that asks for the release (<see cref="UntilRelease"/>).
/// </summary>
public sealed class FlapDamper
{
    /// <summary>
    /// A timer that fires a hair early, or float rounding at the computed instant, must not leave the penalty a
    /// fraction above the reuse threshold for one more round: a relative slack of one in a billion.
    /// </summary>
    private const double ReuseSlack = 1e-9;

    private readonly TimeProvider _time;
    private double _penalty;
    private long _penaltyAt;
    private int _transitions;
    private long _firstAt;
    private long _lastAt;
    private long _suppressedAt;
    private DateTimeOffset _suppressedSince;

    public FlapDamper(FlapDampingConfig config, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (config.HalfLife <= TimeSpan.Zero || config.ReuseThreshold <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config, "flap damping needs a positive half-life and reuse threshold");
        }
        Config = config;
        _time = timeProvider;
        // RFC 2439's ceiling: a penalty this high decays to the reuse threshold in exactly the maximum suppress
        // time, so however long the flapping lasted, the release comes at most that long after it stops.
        Ceiling = config.ReuseThreshold * Math.Pow(2, config.MaxSuppress / config.HalfLife);
        _penaltyAt = timeProvider.GetTimestamp();
    }

    public FlapDampingConfig Config { get; }

    /// <summary>The highest the penalty goes (may be infinite for a maximum suppress time of many half-lives).</summary>
    public double Ceiling { get; }

    /// <summary>True from the transition that took the penalty above the suppress threshold until the release.</summary>
    public bool Suppressed { get; private set; }

    /// <summary>When the suppression started (wall clock, for the status); null while not suppressed.</summary>
    public DateTimeOffset? SuppressedSince => Suppressed ? _suppressedSince : null;

    /// <summary>The penalty now, decayed.</summary>
    public double Penalty => PenaltyAt(_time.GetTimestamp());

    /// <summary>
    /// Transitions counted since the damper was last at rest (penalty below half the reuse threshold while not
    /// suppressed, when it forgets its history as BGP implementations do), and the time from the first to the last.
    /// </summary>
    public int Transitions => _transitions;

    /// <inheritdoc cref="Transitions"/>
    public TimeSpan TransitionSpan => _transitions == 0 ? TimeSpan.Zero : _time.GetElapsedTime(_firstAt, _lastAt);

    /// <summary>How long the current suppression has lasted; zero while not suppressed.</summary>
    public TimeSpan SuppressedFor => Suppressed ? _time.GetElapsedTime(_suppressedAt) : TimeSpan.Zero;

    /// <summary>Adds one transition's penalty. True when this transition starts a suppression.</summary>
    public bool RecordTransition()
    {
        if (!Config.Enabled)
        {
            return false;
        }
        var now = _time.GetTimestamp();
        var penalty = PenaltyAt(now);
        if (!Suppressed && penalty < Config.ReuseThreshold / 2.0)
        {
            // At rest: the last episode is over, this transition starts a new count.
            _transitions = 0;
            penalty = 0;
        }
        if (_transitions == 0)
        {
            _firstAt = now;
        }
        _transitions++;
        _lastAt = now;
        _penalty = Math.Min(penalty + Config.Penalty, Ceiling);
        _penaltyAt = now;
        if (Suppressed || _penalty <= Config.SuppressThreshold)
        {
            return false;
        }
        Suppressed = true;
        _suppressedAt = now;
        _suppressedSince = _time.GetUtcNow();
        return true;
    }

    /// <summary>
    /// Ends the suppression if the penalty has decayed to the reuse threshold, or it has lasted the maximum suppress
    /// time (then the penalty and the count start again from zero). Null while it goes on, or when not suppressed.
    /// </summary>
    public FlapRelease? TryRelease()
    {
        if (!Suppressed)
        {
            return null;
        }
        var now = _time.GetTimestamp();
        var penalty = PenaltyAt(now);
        var suppressedFor = _time.GetElapsedTime(_suppressedAt, now);
        if (penalty <= Config.ReuseThreshold * (1 + ReuseSlack))
        {
            Suppressed = false;
            return new FlapRelease(penalty, suppressedFor, Capped: false);
        }
        if (suppressedFor >= Config.MaxSuppress)
        {
            Suppressed = false;
            _penalty = 0;
            _penaltyAt = now;
            _transitions = 0;
            return new FlapRelease(penalty, suppressedFor, Capped: true);
        }
        return null;
    }

    /// <summary>While suppressed, how long until <see cref="TryRelease"/> releases if no transition comes first; null otherwise.</summary>
    public TimeSpan? UntilRelease()
    {
        if (!Suppressed)
        {
            return null;
        }
        var now = _time.GetTimestamp();
        var penalty = PenaltyAt(now);
        var decay = penalty <= Config.ReuseThreshold
            ? TimeSpan.Zero
            : Config.HalfLife * Math.Log2(penalty / Config.ReuseThreshold);
        var cap = Config.MaxSuppress - _time.GetElapsedTime(_suppressedAt, now);
        var until = decay < cap ? decay : cap;
        return until > TimeSpan.Zero ? until : TimeSpan.Zero;
    }

    /// <summary>The state as a value, for readers that must not take the lock the damper lives under.</summary>
    public FlapSnapshot Snapshot() => new(Suppressed, SuppressedSince, _penalty, _penaltyAt, Config.HalfLife);

    /// <summary>penalty x 2^(-elapsed / half-life).</summary>
    private double PenaltyAt(long now) => Decay(_penalty, _time.GetElapsedTime(_penaltyAt, now), Config.HalfLife);

    internal static double Decay(double penalty, TimeSpan elapsed, TimeSpan halfLife) =>
        penalty == 0 ? 0 : penalty * Math.Pow(2, -(elapsed / halfLife));
}

/// <summary>
/// A <see cref="FlapDamper"/>'s state at its last change: the penalty <paramref name="Penalty"/> as of the timestamp
/// <paramref name="PenaltyAt"/>, which <see cref="PenaltyNow"/> decays to the moment of reading.
/// </summary>
public sealed record FlapSnapshot(bool Suppressed, DateTimeOffset? Since, double Penalty, long PenaltyAt, TimeSpan HalfLife)
{
    /// <summary>The penalty decayed to now on <paramref name="time"/> (the damper's clock).</summary>
    public double PenaltyNow(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return FlapDamper.Decay(Penalty, time.GetElapsedTime(PenaltyAt), HalfLife);
    }
}

/// <summary>
/// A suppression ended: the penalty then, how long it lasted, and whether the maximum suppress time ended it
/// (<paramref name="Capped"/>) rather than the decay to the reuse threshold.
/// </summary>
public sealed record FlapRelease(double Penalty, TimeSpan SuppressedFor, bool Capped);
