using Appliance.Engine.StateMachine;
using Appliance.Web.Storage;
using Appliance.Web.Tests.Infrastructure;
using LiteDB;

namespace Appliance.Web.Tests.Storage;

/// <summary>
/// docs/storage.md on real files: what a kill leaves (the data file and its log as they are while the store is open)
/// opens with every write, also with a torn or zero-filled last log page; the checkpoint is ours, after the fsync.
/// </summary>
public sealed class StoreDurabilityTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private const int PageSize = 8192;
    private readonly TempDirectory _directory = new();
    private readonly TempDirectory _image = new();

    public void Dispose()
    {
        _directory.Dispose();
        _image.Dispose();
    }

    [Fact]
    public void CrashImage_TakenWhileOpen_OpensWithEveryWrite()
    {
        using (var store = new LiteDbApplianceStore(_directory.Path))
        {
            for (var i = 1; i <= 20; i++)
            {
                store.Vhids.Insert(Vhid(i));
            }
            store.Settings.Save(ApplianceSettings.Default with { HistoryMaxEntries = 1234 });
            TakeImage();
            Assert.True(new FileInfo(LogOf(_image.Path)).Length > 0, "the writes are in the log, not yet checkpointed");
        }

        using var reopened = new LiteDbApplianceStore(_image.Path);
        Assert.Equal(Enumerable.Range(1, 20), reopened.Vhids.GetAll().Select(v => v.Vhid));
        Assert.Equal(1234, reopened.Settings.Get().HistoryMaxEntries);
    }

    [Fact]
    public void CrashImage_LastLogPageTorn_OpensWithEveryEarlierWrite()
    {
        using (var store = new LiteDbApplianceStore(_directory.Path))
        {
            for (var i = 1; i <= 10; i++)
            {
                store.Vhids.Insert(Vhid(i));
            }
            var before = new FileInfo(LogOf(_directory.Path)).Length;
            store.Vhids.Insert(Vhid(11));
            Assert.True(new FileInfo(LogOf(_directory.Path)).Length > before);
            TakeImage();
        }
        // Half of the last page reached the disk: the write of VHID 11 ends torn.
        using (var log = new FileStream(LogOf(_image.Path), FileMode.Open, FileAccess.Write))
        {
            log.SetLength(log.Length - PageSize / 2);
        }

        using var reopened = new LiteDbApplianceStore(_image.Path);
        var vhids = reopened.Vhids.GetAll().Select(v => v.Vhid).ToList();
        Assert.Equal(Enumerable.Range(1, 10), vhids.Take(10));
        // The torn commit is whole or absent, never half (its confirmation is on its last page).
        Assert.InRange(vhids.Count, 10, 11);
        reopened.Vhids.Insert(Vhid(12));
        Assert.Contains(reopened.Vhids.GetAll(), v => v.Vhid == 12);
    }

    [Fact]
    public void CrashImage_ZeroFilledPagesAfterLog_OpensWithEveryWrite()
    {
        using (var store = new LiteDbApplianceStore(_directory.Path))
        {
            store.History.Append(Transition(T0));
            store.History.Append(Transition(T0.AddSeconds(1)));
            TakeImage();
        }
        // The file grew but the pages' content never reached the disk (it reads back as zeros).
        using (var log = new FileStream(LogOf(_image.Path), FileMode.Open, FileAccess.Write))
        {
            log.SetLength(log.Length + 2 * PageSize);
        }

        using var reopened = new LiteDbApplianceStore(_image.Path);
        Assert.Equal([T0.AddSeconds(1), T0], reopened.History.Query(null, null, 10).Select(t => t.At));
    }

    [Fact]
    public void Writes_LogPastCheckpointPages_FoldedIntoDataFileLogEmptied()
    {
        var line = new string('x', 3000);
        using var store = new LiteDbApplianceStore(_directory.Path);
        var log = new FileInfo(LogOf(_directory.Path));
        long largest = 0;
        var folded = false;
        var appended = 0;
        for (var i = 0; i < 4000 && !folded; i++, appended++)
        {
            var transition = Transition(T0.AddSeconds(i));
            transition.LogLine = line + i;
            store.History.Append(transition);
            log.Refresh();
            folded = log.Length < largest;
            largest = Math.Max(largest, log.Length);
        }

        Assert.True(folded, $"the log never shrank (largest {largest} bytes)");
        // The last size seen before the write that crossed the threshold (a write adds a few pages).
        Assert.InRange(largest, (long)(StoreDurability.CheckpointPages - 50) * PageSize, (long)StoreDurability.CheckpointPages * PageSize - 1);
        // Every entry is in the data file now (the log holds only what came after the checkpoint: nothing).
        Assert.True(new FileInfo(store.FilePath).Length >= (long)appended * line.Length, "the pages went into the data file");
        Assert.Equal(appended, store.History.Count());
    }

    [Fact]
    public void Open_AnyStore_AutomaticCheckpointOffInTheFile()
    {
        using (var store = new LiteDbApplianceStore(_directory.Path))
        {
            store.Vhids.Insert(Vhid(1));
        }

        using var database = new LiteDatabase(new ConnectionString { Filename = Path.Combine(_directory.Path, LiteDbApplianceStore.FileName), ReadOnly = true });
        Assert.Equal(0, database.Pragma("CHECKPOINT").AsInt32);
    }

    [Fact]
    public void Dispose_CleanStop_LogFoldedIntoDataFile()
    {
        using (var store = new LiteDbApplianceStore(_directory.Path))
        {
            store.Vhids.Insert(Vhid(1));
        }

        Assert.False(File.Exists(LogOf(_directory.Path)) && new FileInfo(LogOf(_directory.Path)).Length > 0, "a clean stop leaves no log to replay");
        using var reopened = new LiteDbApplianceStore(_directory.Path);
        Assert.Single(reopened.Vhids.GetAll());
    }

    /// <summary>The files as a kill -9 leaves them: what the process wrote is in the page cache, nothing is closed.</summary>
    private void TakeImage()
    {
        Directory.CreateDirectory(_image.Path);
        foreach (var file in Directory.GetFiles(_directory.Path, "appliance*.db"))
        {
            File.Copy(file, Path.Combine(_image.Path, Path.GetFileName(file)), overwrite: true);
        }
    }

    private static string LogOf(string directory) => StoreDurability.LogPathOf(Path.Combine(directory, LiteDbApplianceStore.FileName));

    private static StoredVhid Vhid(int number) => new()
    {
        Interface = "eth0",
        Vhid = number,
        AdvBase = 1,
        Password = "secret",
        Vip = "198.18.0.100",
        PrefixLength = 24,
        CreatedAt = T0,
        UpdatedAt = T0,
    };

    private static StoredTransition Transition(DateTimeOffset at) => new()
    {
        At = at,
        Key = "eth0/1",
        Interface = "eth0",
        Vhid = 1,
        From = CarpState.Backup,
        To = CarpState.Master,
        Cause = TransitionCause.MasterDownTimeout,
        LogLine = "Switching to state: MASTER",
    };
}
