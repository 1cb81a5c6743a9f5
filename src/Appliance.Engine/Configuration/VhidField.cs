namespace Appliance.Engine.Configuration;

/// <summary>
/// A VHID setting as the rules know it. Each entry point spells it its own way (the API's JSON name
/// <c>advskew</c>, the carp flag <c>--advskew</c>, the import's <c>UCARP_ADVSKEW</c>); the message after the
/// name is the same everywhere.
/// </summary>
public enum VhidField
{
    Interface,
    Vhid,
    Password,
    VirtualAddress,
    PrefixLength,
    SourceAddress,
    MulticastGroup,
    /// <summary>ucarp's --nomcast, named only by the rule that refuses it next to unicast peers.</summary>
    NoMulticast,
    /// <summary>Unicast peers (docs/carp-protocol.md, 5.4 Unicast peers).</summary>
    Peers,
    AdvBase,
    AdvSkew,
    DeadRatio,
    UpScript,
    DownScript,
    ExtraParameter,
    ReplayCheck,
    /// <summary>Flap damping on or off (docs/carp-protocol.md, 6.13); the five below are its settings.</summary>
    FlapDamping,
    FlapPenalty,
    FlapSuppressThreshold,
    FlapReuseThreshold,
    FlapHalfLife,
    FlapMaxSuppress,
}
