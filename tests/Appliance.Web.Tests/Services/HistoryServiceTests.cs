using Appliance.Engine.Hosting;
using Appliance.Engine.StateMachine;
using Appliance.Web.Services;
using Appliance.Web.Storage;
using Appliance.Web.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Services;

public sealed class HistoryServiceTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly LiteDbApplianceStore _store;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly HistoryService _history;

    public HistoryServiceTests()
    {
        _store = new LiteDbApplianceStore(_directory.Path);
        _history = new HistoryService(_store, _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void Trim_SettingsRetention_KeepsNewestWithinAgeAndCount()
    {
        _store.Settings.Save(new ApplianceSettings { HistoryMaxEntries = 3, HistoryMaxAgeDays = 10 });
        var now = _time.GetUtcNow();
        foreach (var daysAgo in new[] { 30, 11, 5, 4, 3, 2, 1 })
        {
            _history.Append(new TransitionRecord(now.AddDays(-daysAgo), "eth-test0/7", "eth-test0", 7, CarpState.Backup, CarpState.Master, TransitionCause.MasterDownTimeout, "Switching to state: MASTER"));
        }

        var removed = _history.Trim();

        Assert.Equal(4, removed);
        var left = _history.Query(null, null).Value!;
        Assert.Equal([now.AddDays(-1), now.AddDays(-2), now.AddDays(-3)], left.Select(t => t.At));
    }

    [Fact]
    public void Query_TakeOutOfRange_InvalidNamingTake()
    {
        var result = _history.Query(300, 0);

        Assert.Equal(ServiceStatus.Invalid, result.Status);
        Assert.Contains("take", result.Errors.Keys);
        Assert.Contains("vhid", result.Errors.Keys);
    }
}
