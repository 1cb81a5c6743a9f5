namespace Appliance.Engine.StateMachine;

/// <summary>
/// Flap damping of one VHID (docs/carp-protocol.md, 6.13), after BGP route flap damping (RFC 2439): every
/// counted state transition adds <see cref="Penalty"/>, the penalty halves every <see cref="HalfLife"/>, above
/// <see cref="SuppressThreshold"/> the VHID is "flapping suppressed" (it stops preempting) until the penalty has
/// decayed to <see cref="ReuseThreshold"/>, and never for longer than <see cref="MaxSuppress"/>. On by default.
/// </summary>
public sealed record FlapDampingConfig
{
    public const int DefaultPenalty = 1000;
    public const int DefaultSuppressThreshold = 3000;
    public const int DefaultReuseThreshold = 750;
    public const int DefaultHalfLifeSeconds = 60;
    public const int DefaultMaxSuppressSeconds = 600;

    /// <summary>On, with the defaults above.</summary>
    public static readonly FlapDampingConfig Default = new();

    /// <summary>Off: transitions are not counted and the VHID is never suppressed.</summary>
    public static readonly FlapDampingConfig Off = new() { Enabled = false };

    public bool Enabled { get; init; } = true;

    /// <summary>Added to the penalty at every counted transition.</summary>
    public int Penalty { get; init; } = DefaultPenalty;

    /// <summary>A penalty above this starts the suppression.</summary>
    public int SuppressThreshold { get; init; } = DefaultSuppressThreshold;

    /// <summary>The suppression ends once the penalty has decayed to this (below <see cref="SuppressThreshold"/>).</summary>
    public int ReuseThreshold { get; init; } = DefaultReuseThreshold;

    /// <summary>The penalty halves every half-life.</summary>
    public TimeSpan HalfLife { get; init; } = TimeSpan.FromSeconds(DefaultHalfLifeSeconds);

    /// <summary>The longest a suppression lasts, whatever the penalty (then the penalty starts again from zero).</summary>
    public TimeSpan MaxSuppress { get; init; } = TimeSpan.FromSeconds(DefaultMaxSuppressSeconds);
}
