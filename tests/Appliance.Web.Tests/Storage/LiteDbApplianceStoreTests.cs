using Appliance.Engine.StateMachine;
using Appliance.Web.Storage;
using Appliance.Web.Tests.Infrastructure;

namespace Appliance.Web.Tests.Storage;

public sealed class LiteDbApplianceStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();
    private readonly LiteDbApplianceStore _store;

    public LiteDbApplianceStoreTests() => _store = new LiteDbApplianceStore(_directory.Path);

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Open_NewDirectory_FileReadableByOwnerOnly()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_store.FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory.Path));
    }

    [Fact]
    public void Trim_MoreThanKeep_DeletesOldestOnly()
    {
        for (var i = 0; i < 10; i++)
        {
            _store.History.Append(Transition(T0.AddMinutes(i)));
        }

        var deleted = _store.History.Trim(T0.AddDays(-1), keep: 4);

        Assert.Equal(6, deleted);
        var left = _store.History.Query(null, null, 100);
        Assert.Equal([T0.AddMinutes(9), T0.AddMinutes(8), T0.AddMinutes(7), T0.AddMinutes(6)], left.Select(t => t.At));
    }

    [Fact]
    public void Trim_OlderThanCutoff_DeletesByAge()
    {
        _store.History.Append(Transition(T0.AddDays(-100)));
        _store.History.Append(Transition(T0.AddDays(-10)));
        _store.History.Append(Transition(T0));

        var deleted = _store.History.Trim(T0.AddDays(-90), keep: 100);

        Assert.Equal(1, deleted);
        Assert.Equal(2, _store.History.Count());
    }

    [Fact]
    public void History_RoundTrip_KeepsUtcTimeEnumsAndLine()
    {
        _store.History.Append(Transition(T0.AddMilliseconds(123)));

        var read = Assert.Single(_store.History.Query(7, "eth-test0/7", 10));

        Assert.Equal(T0.AddMilliseconds(123), read.At);
        Assert.Equal(TimeSpan.Zero, read.At.Offset);
        Assert.Equal(CarpState.Master, read.To);
        Assert.Equal(TransitionCause.MasterDownTimeout, read.Cause);
        Assert.Equal("Switching to state: MASTER", read.LogLine);
        Assert.Empty(_store.History.Query(8, null, 10));
    }

    [Fact]
    public void Settings_NeverSaved_ReturnsDefaultsThenSavedValues()
    {
        Assert.Equal(ApplianceSettings.Default, _store.Settings.Get());

        _store.Settings.Save(new ApplianceSettings { HistoryMaxEntries = 10, HistoryMaxAgeDays = 2 });

        Assert.Equal(new ApplianceSettings { HistoryMaxEntries = 10, HistoryMaxAgeDays = 2 }, _store.Settings.Get());
    }

    private static StoredTransition Transition(DateTimeOffset at) => new()
    {
        At = at,
        Key = "eth-test0/7",
        Interface = "eth-test0",
        Vhid = 7,
        From = CarpState.Backup,
        To = CarpState.Master,
        Cause = TransitionCause.MasterDownTimeout,
        LogLine = "Switching to state: MASTER",
    };
}
