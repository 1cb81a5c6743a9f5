using System.Globalization;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Xunit.Abstractions;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary>
/// Replay protection (docs/replay.md) on a real segment: captured adverts replayed by a third node change nothing,
/// while legitimate traffic (a ucarp master that has heard no one sends a random counter each time) is never dropped.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class CarpReplayTests(ITestOutputHelper output)
{
    private const byte Vhid = 11;
    private const string Password = "replay-pw";
    private const string Replayed = "Replayed advert from ";

    [Fact]
    public async Task Master_OwnCapturedAdvertReplayedWithAdvskew0FromAnotherAddress_NoTransitionReplayDropped()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var x = lab.AddNode("x");
        var vip = lab.AllocateAddress();
        using var injector = FrameInjector.Open(lab, x);
        var carp = StartCarp(lab, a, [.. CommonArgs(a, vip, Vhid, Password, 100), "--manage-vip"]);
        await carp.WaitForLineAsync(MasterLine, FirstMaster);

        var captured = FrameInjector.CaptureAdvert(lab, x, a, Short);
        var counter = FrameInjector.CounterOf(captured);
        var fromLine = carp.LineCount;
        // The attack: the same counter and HMAC, advskew 0 (better than a's 100), from x. Six copies.
        var forged = injector.Respoof(captured, advskew: 0);
        for (var i = 0; i < 6; i++)
        {
            injector.Send(forged);
        }
        var drop = await carp.WaitForLineAsync(Replayed + x.Address, Short, fromLine);
        output.WriteLine($"captured counter 0x{counter:x16}; a logged: {drop}");
        Assert.Contains($"counter 0x{counter:x16}", drop, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(LinesWith(carp, BackupLine, fromLine));
        Assert.Empty(LinesWith(carp, "Preferred master advertised", fromLine));
        Assert.Equal("MASTER", LastState(carp));
        Assert.True(lab.HasAddress(a, vip));

        // Positive control: a counter a has not seen, newer than its own, makes it yield at once.
        injector.Send(injector.Advert(Vhid, 1, 0, Password, vip));
        await carp.WaitForLineAsync(BackupLine, Short, fromLine);
    }

    [Fact]
    public async Task Backup_DeadMastersLastAdvertReplayedInALoop_TakesOverWithinMasterDown()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var x = lab.AddNode("x");
        var vip = lab.AllocateAddress();
        using var injector = FrameInjector.Open(lab, x);
        var (master, backup) = await StartPairAsync(lab, a, b, vip);

        // The master's last advert: captured, then the master dies at once.
        var last = FrameInjector.CaptureAdvert(lab, x, a, Short);
        var killedAt = DateTime.Now;
        master.Kill();
        var fromLine = backup.LineCount;

        // Replayed unchanged (a's MAC and address, its counter and HMAC) every 50 ms, bounded in count and time.
        var sent = 0;
        var deadline = killedAt + MasterDown(100) + TimeSpan.FromSeconds(3);
        while (DateTime.Now < deadline && sent < 200 && IndexOf(backup, MasterLine, fromLine) < 0)
        {
            injector.Send(last);
            sent++;
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
        var took = await backup.WaitForLineAsync(MasterLine, TimeSpan.FromSeconds(1), fromLine);
        var takeover = Stamp(took) - killedAt;
        var drops = LinesWith(backup, Replayed + a.Address, fromLine);
        output.WriteLine($"{sent} replays of counter 0x{FrameInjector.CounterOf(last):x16}; b took over after {Ms(takeover)} " +
            $"(master-down {Ms(MasterDown(100))}); replay lines logged: {drops.Count.ToString(CultureInfo.InvariantCulture)}");
        Assert.InRange(takeover, TimeSpan.Zero, MasterDown(100) + TimeSpan.FromSeconds(1));
        Assert.NotEmpty(drops);
        Assert.Contains($"counter 0x{FrameInjector.CounterOf(last):x16}", drops[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartitionHeal_BothMastersWithTheirOwnSequences_ConvergeToTheBetterOne()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var x = lab.AddNode("x");
        var vip = lab.AllocateAddress();
        var (carpA, carpB) = await StartPairAsync(lab, a, b, vip);

        // b's bridge port disabled: carrier stays up, frames stop; b times out and both are MASTER, each counting on
        // from where it was (b from a's last counter it adopted).
        var fromA = carpA.LineCount;
        var fromB = carpB.LineCount;
        SetPortState(lab, b, 0);
        try
        {
            await carpB.WaitForLineAsync(MasterLine, MasterDown(100) + TimeSpan.FromSeconds(3), fromB);
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.True(lab.HasAddress(a, vip) && lab.HasAddress(b, vip), "both MASTER during the partition");
            var counterA = FrameInjector.CounterOf(FrameInjector.CaptureAdvert(lab, x, a, Short));
            var healedAt = DateTime.Now;
            SetPortState(lab, b, 3);
            var yielded = await carpB.WaitForLineAsync(BackupLine, TimeSpan.FromSeconds(3), fromB);
            await Eventually.TrueAsync(() => !lab.HasAddress(b, vip), "VIP released by b", TimeSpan.FromSeconds(2));
            var counterAfter = FrameInjector.CounterOf(FrameInjector.CaptureAdvert(lab, x, a, Short));
            output.WriteLine($"a's counter before heal 0x{counterA:x16}, after 0x{counterAfter:x16}; b yielded {Ms(Stamp(yielded) - healedAt)} after the heal; " +
                $"replay lines a/b: {LinesWith(carpA, Replayed, fromA).Count}/{LinesWith(carpB, Replayed, fromB).Count}");
            Assert.InRange(Stamp(yielded) - healedAt, TimeSpan.Zero, TimeSpan.FromSeconds(2));
            Assert.Equal(["a"], Holders(lab, vip));
            Assert.Equal("MASTER", LastState(carpA));
            Assert.Empty(LinesWith(carpA, BackupLine, fromA));
            // The two sequences met and one continued: a's counter only grew, across the heal.
            Assert.True(unchecked((long)(counterAfter - counterA)) > 0, "serial-number newer");
        }
        finally
        {
            SetPortState(lab, b, 3);
        }
    }

    /// <summary>a MASTER with advskew 0, then b BACKUP with advskew 100, b having heard a for a while.</summary>
    private static async Task<(LabProcess Master, LabProcess Backup)> StartPairAsync(NetworkLab lab, LabNode a, LabNode b, System.Net.IPAddress vip)
    {
        var master = StartCarp(lab, a, [.. CommonArgs(a, vip, Vhid, Password, 0), "--manage-vip"]);
        await master.WaitForLineAsync(MasterLine, FirstMaster);
        var backup = StartCarp(lab, b, [.. CommonArgs(b, vip, Vhid, Password, 100), "--manage-vip"]);
        await backup.WaitForLineAsync(BackupLine, Short);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        return (master, backup);
    }

    [Fact]
    public async Task UcarpMasterInRandomMode_ApplianceBackup_ZeroReplayDropsThenRolesSwapAndBack()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var vip = lab.AllocateAddress();

        // ucarp alone first: it has heard no one, so every advert carries a fresh random counter.
        var ucarp = StartUcarp(lab, a, [.. CommonArgs(a, vip, Vhid, Password, 0), "-P", .. VipScripts(lab, a)]);
        await ucarp.WaitForLineAsync(MasterLine, FirstMaster);
        var carp = StartCarp(lab, b, [.. CommonArgs(b, vip, Vhid, Password, 50), .. VipScripts(lab, b)]);
        await carp.WaitForLineAsync(BackupLine, Short);
        // Several master-down periods: one dropped advert in three would already make b take over.
        await Task.Delay(MasterDown(50) * 3);
        Assert.Equal("BACKUP", LastState(carp));
        var randomPhase = LinesWith(carp, Replayed);
        Assert.True(randomPhase.Count == 0, string.Join('\n', randomPhase));

        // ucarp dies: the appliance takes over; ucarp comes back, adopts the appliance's counter and preempts.
        var fromLine = carp.LineCount;
        ucarp.Kill();
        await carp.WaitForLineAsync(MasterLine, MasterDown(50) + TimeSpan.FromSeconds(3), fromLine);
        var ucarp2 = StartUcarp(lab, a, [.. CommonArgs(a, vip, Vhid, Password, 0), "-P", .. VipScripts(lab, a)]);
        await carp.WaitForLineAsync(BackupLine, FirstMaster, fromLine);
        await ucarp2.WaitForLineAsync(MasterLine, Short);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("BACKUP", LastState(carp));
        Assert.Equal("MASTER", LastState(ucarp2));
        // ucarp reads through pcap, up to ~1 s late: when it preempts with the counter it adopted + 1, we may have sent
        // that very value meanwhile, and the two are the same bytes, so that one advert is a replay to us (docs/replay.md,
        // ucarp peers in both roles). Its next advert is newer, and we yield.
        var preemptPhase = LinesWith(carp, Replayed, fromLine);
        output.WriteLine($"replay drops while ucarp preempted: {preemptPhase.Count}" + string.Concat(preemptPhase.Select(l => "\n  " + l)));
        Assert.True(preemptPhase.Count <= 2, string.Join('\n', preemptPhase));
        Assert.Empty(LinesWith(carp, BadDigest));
    }
}
