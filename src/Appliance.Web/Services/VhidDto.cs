using System.Text.Json.Serialization;

namespace Appliance.Web.Services;

/// <summary>
/// A VHID as the API and dashboard show it. Never carries the password, only <see cref="HasPassword"/>.
/// <see cref="AdvertIntervalMs"/> and <see cref="MasterDownMs"/> come from the engine's CarpTiming.
/// </summary>
public sealed record VhidDto(
    int Id,
    string Key,
    string Interface,
    int Vhid,
    [property: JsonPropertyName("advbase")] int AdvBase,
    [property: JsonPropertyName("advskew")] int AdvSkew,
    bool HasPassword,
    string Vip,
    int PrefixLength,
    [property: JsonPropertyName("srcip")] string? SrcIp,
    IReadOnlyList<string> Peers,
    bool Preempt,
    bool Neutral,
    [property: JsonPropertyName("deadratio")] int DeadRatio,
    [property: JsonPropertyName("upscript")] string? UpScript,
    [property: JsonPropertyName("downscript")] string? DownScript,
    [property: JsonPropertyName("xparam")] string? XParam,
    string ReplayCheck,
    FlapDampingDto FlapDamping,
    bool Enabled,
    bool Maintenance,
    double AdvertIntervalMs,
    double MasterDownMs,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<CheckDto> Checks);

/// <summary>A VHID's flap damping settings (docs/carp-protocol.md, 6.13), as the API shows and takes them.</summary>
public sealed record FlapDampingDto(
    bool Enabled,
    int Penalty,
    int SuppressThreshold,
    int ReuseThreshold,
    int HalfLifeSeconds,
    int MaxSuppressSeconds);
