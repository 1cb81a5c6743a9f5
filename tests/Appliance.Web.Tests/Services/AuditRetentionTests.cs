using Appliance.Web.Services;
using Appliance.Web.Storage;
using Appliance.Web.Tests.Infrastructure;
using LiteDB;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Services;

/// <summary>The audit log is trimmed like the history (docs/limits.md): by age, then by count, oldest first; a real LiteDB file.</summary>
public sealed class AuditRetentionTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    // Starts well before Now: entries are recorded in the past, in order, then the clock is set to Now.
    private readonly FakeTimeProvider _time = new(Now.AddDays(-365));
    private LiteDbApplianceStore _store;
    private AuditService _audit;

    public AuditRetentionTests()
    {
        _store = new LiteDbApplianceStore(_directory.Path);
        _audit = new AuditService(_store, _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    private void RecordAt(DateTimeOffset at, string target)
    {
        _time.SetUtcNow(at);
        _audit.Record("admin", "vhid.update", target, ["advskew: 0 -> 1"]);
    }

    [Fact]
    public void Trim_SettingsRetention_KeepsNewestWithinAgeAndCount()
    {
        var now = Now;
        _store.Settings.Save(ApplianceSettings.Default with { AuditMaxEntries = 3, AuditMaxAgeDays = 10 });
        foreach (var daysAgo in new[] { 30, 11, 5, 4, 3, 2, 1 })
        {
            RecordAt(now.AddDays(-daysAgo), $"{daysAgo} days ago");
        }
        _time.SetUtcNow(now);

        var removed = _audit.Trim();

        Assert.Equal(4, removed);
        Assert.Equal(["1 days ago", "2 days ago", "3 days ago"], _audit.Query(100).Select(e => e.Target));
        Assert.Equal(3, _store.Audit.Count());
    }

    [Fact]
    public void Trim_Defaults_NinetyDaysAndTenThousandEntries()
    {
        Assert.Equal(90, ApplianceSettings.Default.AuditMaxAgeDays);
        Assert.Equal(10_000, ApplianceSettings.Default.AuditMaxEntries);
        var now = Now;
        RecordAt(now.AddDays(-91), "old");
        RecordAt(now.AddDays(-89), "recent");
        _time.SetUtcNow(now);

        Assert.Equal(1, _audit.Trim());
        Assert.Equal(["recent"], _audit.Query(100).Select(e => e.Target));
    }

    [Fact]
    public void Trim_AfterReopen_StillTrimmedAndSettingsKept()
    {
        _store.Settings.Save(ApplianceSettings.Default with { AuditMaxEntries = 2 });
        for (var i = 0; i < 5; i++)
        {
            RecordAt(_time.GetUtcNow().AddMinutes(1), $"change {i}");
        }
        Assert.Equal(3, _audit.Trim());
        _store.Dispose();

        _store = new LiteDbApplianceStore(_directory.Path);
        _audit = new AuditService(_store, _time);

        Assert.Equal(2, _store.Settings.Get().AuditMaxEntries);
        Assert.Equal(["change 4", "change 3"], _audit.Query(100).Select(e => e.Target));
    }

    [Fact]
    public void Settings_DocumentFromBeforeTheBounds_ReadsTheirDefaults()
    {
        _store.Dispose();
        using (var database = new LiteDatabase(new ConnectionString { Filename = Path.Combine(_directory.Path, LiteDbApplianceStore.FileName), Connection = ConnectionType.Direct }))
        {
            database.GetCollection("settings").Upsert(new BsonDocument
            {
                ["_id"] = 1,
                ["HistoryMaxEntries"] = 500,
                ["HistoryMaxAgeDays"] = 30,
                ["TokenMaxLifetimeDays"] = 60,
            });
        }

        _store = new LiteDbApplianceStore(_directory.Path);

        Assert.Equal(ApplianceSettings.Default with { HistoryMaxEntries = 500, HistoryMaxAgeDays = 30, TokenMaxLifetimeDays = 60 }, _store.Settings.Get());
    }
}
