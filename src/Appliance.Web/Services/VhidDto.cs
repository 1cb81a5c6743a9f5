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
    bool Enabled,
    bool Maintenance,
    double AdvertIntervalMs,
    double MasterDownMs,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<CheckDto> Checks);
