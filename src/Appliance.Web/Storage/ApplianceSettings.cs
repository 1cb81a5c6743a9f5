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

    /// <summary>The audit log keeps at most this many entries (oldest trimmed first).</summary>
    public int AuditMaxEntries { get; init; } = 10_000;

    /// <summary>Audit entries older than this many days are trimmed.</summary>
    public int AuditMaxAgeDays { get; init; } = 90;

    /// <summary>
    /// A user holds at most this many unexpired API tokens (named and login ones together): a named token beyond it
    /// is refused (409), a login beyond it revokes the user's oldest login token (docs/limits.md).
    /// </summary>
    public int TokenMaxPerUser { get; init; } = 100;

    /// <summary>Expired tokens (refused from the moment they expire) stay listed this many days, then are deleted; 0: at once.</summary>
    public int ExpiredTokenRetentionDays { get; init; } = 7;
}
