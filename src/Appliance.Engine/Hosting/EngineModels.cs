using System.Net;
using Appliance.Engine.Protocol;
using Appliance.Engine.StateMachine;

namespace Appliance.Engine.Hosting;

/// <summary>The peer last heard on a VHID (a valid advert from another node that was not a replay).</summary>
public sealed record PeerInfo(IPAddress Source, byte AdvBase, byte AdvSkew, DateTimeOffset HeardAt)
{
    /// <summary>The advert's byte 4: OpenBSD's demotion count, 0 from ucarp and from us.</summary>
    public byte Demotion { get; init; }

    /// <summary>How this peer's counters move (docs/replay.md, Counter modes).</summary>
    public CounterMode CounterMode { get; init; }
}

/// <summary>Per-VHID counters since the VHID (re)started.</summary>
public sealed record VhidCounters(long AdvertsSent, long AdvertsReceived, IReadOnlyDictionary<DropReason, long> Drops)
{
    public static readonly VhidCounters Empty = new(0, 0, new Dictionary<DropReason, long>());
}

/// <summary>
/// A point-in-time view of one VHID, as data: <paramref name="Demotions"/> are the reasons besides maintenance
/// (sentences from their sources); the web turns state, maintenance and demotions into its status message.
/// <paramref name="Carrier"/> is the interface's link state as the kernel reports it (docs/carp-protocol.md, 6.7 Carrier),
/// also when the VHID ignores it.
/// </summary>
public sealed record VhidStatus(
    string Key,
    VhidConfig Config,
    CarpState State,
    DateTimeOffset Since,
    PeerInfo? LastPeer,
    VhidCounters Counters,
    bool Maintenance,
    IReadOnlyList<string> Demotions,
    SplitBrainInfo? SplitBrain = null,
    bool Carrier = true,
    FlapStatus? Flapping = null)
{
    public TimeSpan AdvertInterval => CarpTiming.AdvertInterval(Config.AdvBase, Config.AdvSkew);
    public TimeSpan MasterDown => CarpTiming.MasterDown(Config.AdvBase, Config.AdvSkew, Config.DeadRatio);
}

/// <summary>A split brain in progress: another MASTER heard while we are MASTER, since when (docs/carp-protocol.md, 6.12).</summary>
public sealed record SplitBrainInfo(IPAddress OtherMaster, DateTimeOffset Since);

/// <summary>
/// A split brain seen (<paramref name="Resolved"/> false: it began) or resolved (we yielded, or the other master
/// went quiet), with the log line ("split brain: another MASTER (198.18.0.3) seen; resolved") and our state then.
/// </summary>
public sealed record SplitBrainRecord(
    DateTimeOffset At,
    string Key,
    string Interface,
    byte Vhid,
    IPAddress OtherMaster,
    bool Resolved,
    CarpState State,
    string LogLine);

/// <summary>
/// The interface of a VHID lost its carrier (<paramref name="Up"/> false; also when a VHID starts without one) or got it
/// back, with the line ("Carrier lost on eth0: ...") and our state then (docs/carp-protocol.md, 6.7 Carrier).
/// </summary>
public sealed record CarrierRecord(
    DateTimeOffset At,
    string Key,
    string Interface,
    byte Vhid,
    bool Up,
    CarpState State,
    string LogLine);

/// <summary>
/// Flap damping began (<paramref name="Suppressed"/>) or ended on a VHID (docs/carp-protocol.md, 6.13), in
/// <paramref name="State"/>, with the penalty then and the log line ("flapping suppressed: 4 transitions in 3.2 s;
/// holding BACKUP (penalty 3155 above 3000)").
/// </summary>
public sealed record FlapRecord(
    DateTimeOffset At,
    string Key,
    string Interface,
    byte Vhid,
    bool Suppressed,
    CarpState State,
    double Penalty,
    string LogLine);

/// <summary>One state change, with the ucarp-style syslog line ("Switching to state: MASTER").</summary>
public sealed record TransitionRecord(
    DateTimeOffset At,
    string Key,
    string Interface,
    byte Vhid,
    CarpState From,
    CarpState To,
    TransitionCause Cause,
    string LogLine);

/// <summary>What an engine subscriber receives.</summary>
public abstract record EngineEvent
{
    private EngineEvent()
    {
    }

    public sealed record Transitioned(TransitionRecord Transition) : EngineEvent;

    /// <summary>A split brain began or was resolved.</summary>
    public sealed record SplitBrainChanged(SplitBrainRecord SplitBrain) : EngineEvent;

    /// <summary>The VHID's interface lost or regained its carrier.</summary>
    public sealed record CarrierChanged(CarrierRecord Carrier) : EngineEvent;

    /// <summary>Flap damping suppressed a VHID or released it.</summary>
    public sealed record FlapChanged(FlapRecord Flap) : EngineEvent;

    /// <summary>State, peer, maintenance, demotions or carrier changed (not every counter tick).</summary>
    public sealed record StatusChanged(VhidStatus Status) : EngineEvent;

    /// <summary>A VHID was removed from the configuration.</summary>
    public sealed record Removed(string Key) : EngineEvent;

    /// <summary>
    /// This subscriber stopped reading for so long that its buffer overflowed: so many events, the oldest, were
    /// dropped right before the next one (docs/limits.md, Event stream). Never sent otherwise.
    /// </summary>
    public sealed record EventsLost(long Transitions, long Others) : EngineEvent;
}
