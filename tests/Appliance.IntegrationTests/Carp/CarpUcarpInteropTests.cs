using System.Net;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Xunit.Abstractions;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary><c>appliance carp</c> against the real <c>/usr/sbin/ucarp</c> 1.5.2 on one segment, in both roles.</summary>
[Collection(LabCollection.Name)]
public sealed class CarpUcarpInteropTests(ITestOutputHelper output)
{
    /// <summary>ucarp reacts up to ~1 s late (pcap buffer, poll wake-ups: docs/namespace-lab.md, 2).</summary>
    private static readonly TimeSpan UcarpSlack = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task UcarpMasterApplianceBackup_UcarpKilled_ApplianceTakesOverWithinMasterDown()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var vip = lab.AllocateAddress();

        var ucarp = StartUcarp(lab, a, [.. CommonArgs(a, vip, 42, "secret", 0), "-P", .. VipScripts(lab, a)]);
        await ucarp.WaitForLineAsync(MasterLine, FirstMaster);
        var carp = StartCarp(lab, b, [.. CommonArgs(b, vip, 42, "secret", 50), .. VipScripts(lab, b)]);
        await carp.WaitForLineAsync(BackupLine, Short);
        // Past the appliance's master-down: it stays BACKUP only because it accepts ucarp's adverts.
        await Task.Delay(MasterDown(50) + TimeSpan.FromSeconds(0.8));

        Assert.Equal("MASTER", LastState(ucarp));
        Assert.Equal("BACKUP", LastState(carp));
        Assert.Equal(["a"], Holders(lab, vip));
        Assert.Empty(LinesWith(carp, BadDigest));
        Assert.Empty(LinesWith(ucarp, BadDigest));

        var fromLine = carp.LineCount;
        var killedAt = DateTime.Now;
        ucarp.Kill();
        var vipOnB = Eventually.TrueAsync(() => lab.HasAddress(b, vip), "VIP on b", MasterDown(50) + TimeSpan.FromSeconds(3));
        var master = await carp.WaitForLineAsync(MasterLine, MasterDown(50) + TimeSpan.FromSeconds(3), fromLine);
        var vipDelay = await vipOnB;
        var takeover = Stamp(master) - killedAt;
        output.WriteLine($"SIGKILL of ucarp MASTER -> appliance MASTER after {Ms(takeover)}, VIP (upscript) on b after {Ms(vipDelay)} (master-down {Ms(MasterDown(50))})");
        Assert.InRange(takeover, TimeSpan.Zero, MasterDown(50) + TimeSpan.FromSeconds(1));
        Assert.InRange(vipDelay, TimeSpan.Zero, MasterDown(50) + TimeSpan.FromSeconds(1));
        Assert.Contains($"Spawning [{lab.WorkDirectory}/vip-up-b.sh {b.Interface} {vip}]", carp.Output, StringComparison.Ordinal);
        Assert.Empty(LinesWith(carp, BadDigest));
    }

    [Fact]
    public async Task ApplianceMasterUcarpBackup_ApplianceKilled_UcarpTakesOverWithinMasterDownPlusSlack()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var vip = lab.AllocateAddress();

        var carp = StartCarp(lab, a, [.. CommonArgs(a, vip, 42, "secret", 0), "-P", .. VipScripts(lab, a)]);
        await carp.WaitForLineAsync(MasterLine, FirstMaster);
        var ucarp = StartUcarp(lab, b, [.. CommonArgs(b, vip, 42, "secret", 50), .. VipScripts(lab, b)]);
        await ucarp.WaitForLineAsync(BackupLine, Short);
        // Past ucarp's master-down plus its lateness: it stays BACKUP only because it accepts our adverts.
        await Task.Delay(MasterDown(50) + UcarpSlack);

        Assert.Equal("MASTER", LastState(carp));
        Assert.Equal("BACKUP", LastState(ucarp));
        await Eventually.TrueAsync(() => lab.HasAddress(a, vip), "VIP on a", Short);
        Assert.Equal(["a"], Holders(lab, vip));
        Assert.Empty(LinesWith(carp, BadDigest));
        Assert.Empty(LinesWith(ucarp, BadDigest));

        var fromLine = ucarp.LineCount;
        var killedAt = DateTime.Now;
        carp.Kill();
        var limit = MasterDown(50) + UcarpSlack;
        var vipOnB = Eventually.TrueAsync(() => lab.HasAddress(b, vip), "VIP on b", limit + TimeSpan.FromSeconds(3));
        var master = await ucarp.WaitForLineAsync(MasterLine, limit + TimeSpan.FromSeconds(3), fromLine);
        var vipDelay = await vipOnB;
        var takeover = Stamp(master) - killedAt;
        output.WriteLine($"SIGKILL of appliance MASTER -> ucarp MASTER after {Ms(takeover)}, VIP on b after {Ms(vipDelay)} (master-down {Ms(MasterDown(50))}, ucarp slack {Ms(UcarpSlack)})");
        Assert.InRange(takeover, TimeSpan.Zero, limit);
        Assert.InRange(vipDelay, TimeSpan.Zero, limit);
        Assert.Empty(LinesWith(ucarp, BadDigest));
    }

    [Fact]
    public async Task WrongPassword_ApplianceBackupWithWrongKey_DropsEveryAdvertAsBadDigestAndNeverYields()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var vip = lab.AllocateAddress();

        // ucarp is preferred (skew 0, preempt): were its adverts accepted, the appliance (skew 100) would stay BACKUP.
        var ucarp = StartUcarp(lab, a, [.. CommonArgs(a, vip, 7, "right", 0), "-P", .. VipScripts(lab, a)]);
        await ucarp.WaitForLineAsync(MasterLine, FirstMaster);
        var carpStart = DateTime.Now;
        var carp = StartCarp(lab, b, [.. CommonArgs(b, vip, 7, "wrong", 100), .. VipScripts(lab, b)]);
        await carp.WaitForLineAsync(BackupLine, Short);
        var firstDrop = await carp.WaitForLineAsync(BadDigest, Short);

        // Deaf to ucarp, the appliance times out like ucarp itself would: MASTER after its master-down.
        var master = await carp.WaitForLineAsync(MasterLine, MasterDown(100) + TimeSpan.FromSeconds(3));
        output.WriteLine($"appliance (wrong password) MASTER {Ms(Stamp(master) - carpStart)} after its start (master-down {Ms(MasterDown(100))} + dotnet start); first Bad digest: {firstDrop}");
        // Now ucarp hears our adverts and rejects them the same way.
        var ucarpDrop = await ucarp.WaitForLineAsync(BadDigest, Short);
        var dropsBefore = LinesWith(carp, BadDigest).Count;
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var drops = LinesWith(carp, BadDigest);

        Assert.Contains("- Check vhid, password and virtual IP address", firstDrop, StringComparison.Ordinal);
        Assert.Contains("[WARNING] Bad digest - md2=[", firstDrop, StringComparison.Ordinal);
        Assert.Contains("- Check vhid, password and virtual IP address", ucarpDrop, StringComparison.Ordinal);
        // One drop per ucarp advert (1 s apart): still arriving while we are MASTER.
        Assert.InRange(drops.Count - dropsBefore, 1, 4);
        Assert.True(drops.Count >= 4, carp.Output);
        // The rejected adverts never counted: no yield, no preemption, a single transition to MASTER.
        Assert.DoesNotContain(carp.Lines, l => l.Contains("Preferred master advertised", StringComparison.Ordinal));
        Assert.Single(LinesWith(carp, MasterLine));
        Assert.Single(LinesWith(carp, BackupLine));
        Assert.Equal("MASTER", LastState(carp));
        Assert.Equal("MASTER", LastState(ucarp));
        Assert.Single(LinesWith(ucarp, MasterLine));
    }
}
