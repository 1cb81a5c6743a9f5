using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>Runtime settings (history and audit retention, token bounds), validated and audited like the VHIDs.</summary>
public sealed class SettingsService(IApplianceStore store, AuditService audit)
{
    public ApplianceSettings Get() => store.Settings.Get();

    public ServiceResult<ApplianceSettings> Update(ApplianceSettings settings, string actor)
    {
        var errors = new ValidationErrors();
        Range(errors, "historyMaxEntries", settings.HistoryMaxEntries, 1, 10_000_000);
        Range(errors, "historyMaxAgeDays", settings.HistoryMaxAgeDays, 1, 36_500);
        Range(errors, "tokenMaxLifetimeDays", settings.TokenMaxLifetimeDays, 1, 3650);
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
        Changed(changes, "historyMaxEntries", before.HistoryMaxEntries, settings.HistoryMaxEntries);
        Changed(changes, "historyMaxAgeDays", before.HistoryMaxAgeDays, settings.HistoryMaxAgeDays);
        Changed(changes, "tokenMaxLifetimeDays", before.TokenMaxLifetimeDays, settings.TokenMaxLifetimeDays);
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
