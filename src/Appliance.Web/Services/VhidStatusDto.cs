using System.Text.Json.Serialization;

namespace Appliance.Web.Services;

/// <summary>
/// The peer last heard on a VHID (replays are not): <see cref="Demotion"/> is the advert's byte 4 (OpenBSD's demotion
/// count, 0 from ucarp), <see cref="CounterMode"/> "sequential", "random" or "constant" (docs/replay.md).
/// </summary>
public sealed record PeerDto(
    string Source,
    [property: JsonPropertyName("advbase")] int AdvBase,
    [property: JsonPropertyName("advskew")] int AdvSkew,
    DateTimeOffset HeardAt,
    int Demotion = 0,
    string CounterMode = "random");

/// <summary>Counters since the VHID (re)started; <see cref="Drops"/> has every reason (camelCase), zeros included.</summary>
public sealed record CountersDto(long AdvertsSent, long AdvertsReceived, IReadOnlyDictionary<string, long> Drops);

/// <summary>
/// The live state of one VHID, as the API, hub and dashboard show it. State is text ("MASTER"). <see cref="Carrier"/> is
/// false while the VHID's interface has no carrier (a pulled cable: no adverts are sent or heard).
/// </summary>
public sealed record VhidStatusDto(
    string Key,
    int? Id,
    string Interface,
    int Vhid,
    string Vip,
    string State,
    DateTimeOffset Since,
    PeerDto? LastPeer,
    CountersDto Counters,
    bool Maintenance,
    string? Demotion,
    string? Message,
    double AdvertIntervalMs,
    double MasterDownMs,
    IReadOnlyList<CheckStatusDto> Checks,
    SplitBrainDto? SplitBrain = null,
    bool Carrier = true,
    UnicastDto? Unicast = null,
    FlappingDto? Flapping = null);

/// <summary>
/// A VHID with unicast peers (docs/carp-protocol.md, 5.4 Unicast peers): where its adverts go, and <see cref="Note"/>,
/// the plain sentence that no ucarp peer can take part; null for a multicast VHID.
/// </summary>
public sealed record UnicastDto(IReadOnlyList<string> Peers, string Note);

/// <summary>A split brain in progress: another MASTER heard while this node is MASTER, since when; null otherwise.</summary>
public sealed record SplitBrainDto(string OtherMaster, DateTimeOffset Since);

/// <summary>
/// Flap damping now (docs/carp-protocol.md, 6.13): suppressed or not, since when (null while not), and the penalty
/// decayed to the moment of the snapshot. Null when flap damping is off for the VHID.
/// </summary>
public sealed record FlappingDto(bool Suppressed, DateTimeOffset? Since, double Penalty);

/// <summary>
/// One health check of a VHID, live: <see cref="LastResult"/> is the last run as a sentence, <see cref="DemotionReason"/>
/// why this check demotes the node (null while healthy). Kind is "http", "tcp" or "command".
/// </summary>
public sealed record CheckStatusDto(
    string Name,
    string Kind,
    string Target,
    bool Healthy,
    string? LastResult,
    DateTimeOffset? LastRun,
    int ConsecutiveSuccesses,
    int ConsecutiveFailures,
    string? DemotionReason);
