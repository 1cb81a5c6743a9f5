using Appliance.Engine.Diagnostics;

namespace Appliance.Engine.Configuration;

/// <summary>
/// One VHID as an admin gave it, before the rules: every value as text (null when not given), so an error
/// quotes exactly what was typed, whether it came from a command line, a ucarp.conf or a JSON number.
/// </summary>
public sealed record VhidSettings
{
    public string? Interface { get; init; }
    public string? Vhid { get; init; }
    public string? Password { get; init; }
    public string? VirtualAddress { get; init; }
    public string? PrefixLength { get; init; }
    public string? SourceAddress { get; init; }
    public string? MulticastGroup { get; init; }
    /// <summary>Unicast peer addresses as given, one entry each; null or empty means multicast (docs/carp-protocol.md, 5.4).</summary>
    public IReadOnlyList<string>? Peers { get; init; }
    public string? AdvBase { get; init; }
    public string? AdvSkew { get; init; }
    public string? DeadRatio { get; init; }
    public string? UpScript { get; init; }
    public string? DownScript { get; init; }
    public string? ExtraParameter { get; init; }
    /// <summary>"strict" (the default when null) or "relaxed" (docs/replay.md).</summary>
    public string? ReplayCheck { get; init; }
    /// <summary>Flap damping "on" (the default when null) or "off" (docs/carp-protocol.md, 6.13).</summary>
    public string? FlapDamping { get; init; }
    public string? FlapPenalty { get; init; }
    public string? FlapSuppressThreshold { get; init; }
    public string? FlapReuseThreshold { get; init; }
    /// <summary>Seconds.</summary>
    public string? FlapHalfLife { get; init; }
    /// <summary>Seconds.</summary>
    public string? FlapMaxSuppress { get; init; }
    public bool Preempt { get; init; }
    public bool Neutral { get; init; }
    public bool NoMulticast { get; init; }
    public bool IgnoreInterfaceState { get; init; }
    public bool ManageVip { get; init; }

    /// <summary>The CARP password shows as ***.</summary>
    public override string ToString() => Redaction.Print(this);
}
