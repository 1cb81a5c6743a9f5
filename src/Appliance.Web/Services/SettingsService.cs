using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>Runtime settings (history and audit retention, token bounds), validated and audited like the VHIDs.</summary>
public sealed class SettingsService(IApplianceStore store, AuditService audit)
{
    public ApplianceSettings Get() => store.Settings.Get();

    public ServiceResult<ApplianceSettings> Update(ApplianceSettings settings, string actor)
    {
        var errors = new ValidationErrors();
        if (settings.HistoryMaxEntries is < 1 or > 10_000_000)
        {
            errors.Add("historyMaxEntries", $"historyMaxEntries must be between 1 and 10000000 (was {settings.HistoryMaxEntries}).");
        }
        if (settings.HistoryMaxAgeDays is < 1 or > 36_500)
        {
            errors.Add("historyMaxAgeDays", $"historyMaxAgeDays must be between 1 and 36500 (was {settings.HistoryMaxAgeDays}).");
        }
        if (settings.TokenMaxLifetimeDays is < 1 or > 3650)
        {
            errors.Add("tokenMaxLifetimeDays", $"tokenMaxLifetimeDays must be between 1 and 3650 (was {settings.TokenMaxLifetimeDays}).");
        }
        Range(errors, "auditMaxEntries", settings.AuditMaxEntries, 1, 10_000_000);
        Range(errors, "auditMaxAgeDays", settings.AuditMaxAgeDays, 1, 36_500);
        Range(errors, "tokenMaxPerUser", settings.TokenMaxPerUser, 1, 10_000);
        Range(errors, "expiredTokenRetentionDays", settings.ExpiredTokenRetentionDays, 0, 365);
        if (!errors.IsEmpty)
        {
            return ServiceResult<ApplianceSettings>.Invalid(errors.ToDictionary());
        }
        var before = store.Settings.Get();
        store.Settings.Save(settings);
        var changes = new List<string>();
        if (before.HistoryMaxEntries != settings.HistoryMaxEntries)
        {
            changes.Add($"historyMaxEntries: {before.HistoryMaxEntries} -> {settings.HistoryMaxEntries}");
        }
        if (before.HistoryMaxAgeDays != settings.HistoryMaxAgeDays)
        {
            changes.Add($"historyMaxAgeDays: {before.HistoryMaxAgeDays} -> {settings.HistoryMaxAgeDays}");
        }
        if (before.TokenMaxLifetimeDays != settings.TokenMaxLifetimeDays)
        {
            changes.Add($"tokenMaxLifetimeDays: {before.TokenMaxLifetimeDays} -> {settings.TokenMaxLifetimeDays}");
        }
        Changed(changes, "auditMaxEntries", before.AuditMaxEntries, settings.AuditMaxEntries);
        Changed(changes, "auditMaxAgeDays", before.AuditMaxAgeDays, settings.AuditMaxAgeDays);
        Changed(changes, "tokenMaxPerUser", before.TokenMaxPerUser, settings.TokenMaxPerUser);
        Changed(changes, "expiredTokenRetentionDays", before.ExpiredTokenRetentionDays, settings.ExpiredTokenRetentionDays);
        if (changes.Count > 0)
        {
            audit.Record(actor, "settings.update", "settings", changes);
        }
        return ServiceResult<ApplianceSettings>.Ok(settings);
    }

    private static void Range(ValidationErrors errors, string field, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add(field, $"{field} must be between {min} and {max} (was {value}).");
        }
    }

    private static void Changed(List<string> changes, string field, int before, int after)
    {
        if (before != after)
        {
            changes.Add($"{field}: {before} -> {after}");
        }
    }
}
