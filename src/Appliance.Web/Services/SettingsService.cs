using Appliance.Web.Storage;

namespace Appliance.Web.Services;

/// <summary>Runtime settings (history retention), validated and audited like the VHIDs.</summary>
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
        if (changes.Count > 0)
        {
            audit.Record(actor, "settings.update", "settings", changes);
        }
        return ServiceResult<ApplianceSettings>.Ok(settings);
    }
}
