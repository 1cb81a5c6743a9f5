using System.Text.Json.Serialization;

namespace Appliance.Web.Services;

/// <summary>
/// What a client sends to create (POST) or replace (PUT) a VHID; the dashboard's form binds to the same
/// type. Numbers are wide and nullable so that out-of-range or missing values reach the validator and
/// come back as a field error instead of a deserialization failure.
/// </summary>
public sealed class VhidInput
{
    public string? Interface { get; set; }
    public int? Vhid { get; set; }
    [JsonPropertyName("advbase")]
    public int? AdvBase { get; set; }
    [JsonPropertyName("advskew")]
    public int? AdvSkew { get; set; }
    /// <summary>Write-only. Required on create; on update, null or empty keeps the stored password.</summary>
    public string? Password { get; set; }
    public string? Vip { get; set; }
    public int? PrefixLength { get; set; }
    [JsonPropertyName("srcip")]
    public string? SrcIp { get; set; }
    /// <summary>Unicast peers' addresses (docs/carp-protocol.md, 5.4 Unicast peers); null or empty: multicast. A PUT replaces the list.</summary>
    public List<string?>? Peers { get; set; }
    public bool? Preempt { get; set; }
    public bool? Neutral { get; set; }
    [JsonPropertyName("deadratio")]
    public long? DeadRatio { get; set; }
    [JsonPropertyName("upscript")]
    public string? UpScript { get; set; }
    [JsonPropertyName("downscript")]
    public string? DownScript { get; set; }
    [JsonPropertyName("xparam")]
    public string? XParam { get; set; }
    /// <summary>"strict" (null or absent: the default) or "relaxed": relaxed also accepts a peer's constant counter (docs/replay.md).</summary>
    public string? ReplayCheck { get; set; }
    /// <summary>Flap damping (docs/carp-protocol.md, 6.13); null or absent, and every member left out, mean the defaults (on).</summary>
    public FlapDampingInput? FlapDamping { get; set; }
    public bool? Enabled { get; set; }
    /// <summary>Health checks; null or absent means none. A PUT replaces the whole list.</summary>
    public List<CheckInput>? Checks { get; set; }
}

/// <summary>
/// A VHID's flap damping as a client sends it: <c>{"enabled": true, "penalty": 1000, "suppressThreshold": 3000,
/// "reuseThreshold": 750, "halfLifeSeconds": 60, "maxSuppressSeconds": 600}</c>, each member optional (its default when
/// null). Wide numbers, as in <see cref="VhidInput"/>, so a bad value is a field error rather than a failed read.
/// </summary>
public sealed class FlapDampingInput
{
    public bool? Enabled { get; set; }
    public long? Penalty { get; set; }
    public long? SuppressThreshold { get; set; }
    public long? ReuseThreshold { get; set; }
    public long? HalfLifeSeconds { get; set; }
    public long? MaxSuppressSeconds { get; set; }
}
