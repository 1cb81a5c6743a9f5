namespace Appliance.Web.Storage;

/// <summary>Runtime settings an admin can change from the dashboard or API (one document).</summary>
public sealed record ApplianceSettings
{
    public static readonly ApplianceSettings Default = new();

    /// <summary>History keeps at most this many transitions (oldest trimmed first).</summary>
    public int HistoryMaxEntries { get; init; } = 100_000;

    /// <summary>History older than this many days is trimmed.</summary>
    public int HistoryMaxAgeDays { get; init; } = 90;

    /// <summary>No API token may be created to live longer than this many days.</summary>
    public int TokenMaxLifetimeDays { get; init; } = 365;
}
