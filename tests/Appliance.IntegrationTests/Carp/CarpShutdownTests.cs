using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using Tmds.Linux;
using Xunit.Abstractions;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary>
/// <c>--shutdown</c>: on SIGTERM a MASTER bows out (advbase 255 / advskew 255) so the backup takes over at
/// once, keeps the VIP until the backup has claimed it, releases it and exits 0.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class CarpShutdownTests(ITestOutputHelper output)
{
    private const string TimeOutLine = "Putting MASTER DOWN (going to time out)";

    [Fact]
    public async Task Shutdown_SigtermWithApplianceBackup_BackupTakesOverAtOnceAndMasterReleasesVipAfterwardsAndExitsZero()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var vip = lab.AllocateAddress();

        var master = StartCarp(lab, a, [.. CommonArgs(a, vip, 42, "secret", 0), "-z", "--manage-vip"]);
        await master.WaitForLineAsync(MasterLine, FirstMaster);
        var backup = StartCarp(lab, b, [.. CommonArgs(b, vip, 42, "secret", 50), "--manage-vip"]);
        await backup.WaitForLineAsync(BackupLine, Short);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(["a"], Holders(lab, vip));
        Assert.Equal("BACKUP", LastState(backup));

        var fromMaster = master.LineCount;
        var fromBackup = backup.LineCount;
        var signalledAt = DateTime.Now;
        master.Kill(LibC.SIGTERM);
        var claimed = await backup.WaitForLineAsync(MasterLine, Short, fromBackup);
        var exitCode = await master.WaitForExitAsync(Short);
        var exitedAfter = DateTime.Now - signalledAt;
        var released = await master.WaitForLineAsync(BackupLine, TimeSpan.FromSeconds(1), fromMaster);

        var takeover = Stamp(claimed) - signalledAt;
        output.WriteLine($"SIGTERM -> backup MASTER after {Ms(takeover)}; master released the VIP {Ms(Stamp(released) - Stamp(claimed))} after the backup's MASTER line; master exited (code {exitCode}) {Ms(exitedAfter)} after the signal");
        Assert.Equal(0, exitCode);
        Assert.InRange(takeover, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
        Assert.Contains(backup.Lines.Skip(fromBackup), l => l.Contains(TimeOutLine, StringComparison.Ordinal));
        // The VIP moves only once the backup has it: the master's release comes after the backup's claim.
        Assert.True(Stamp(released) >= Stamp(claimed), $"released {released} before claimed {claimed}");
        Assert.Contains(master.Lines.Skip(fromMaster), l => l.Contains("Preferred master advertised", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => lab.HasAddress(b, vip), "VIP on b", Short);
        Assert.Equal(["b"], Holders(lab, vip));
    }

    [Fact]
    public async Task Shutdown_SigtermWithUcarpBackup_UcarpTakesOverOnBowOutAndMasterExitsZero()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var vip = lab.AllocateAddress();

        var master = StartCarp(lab, a, [.. CommonArgs(a, vip, 42, "secret", 0), "-z", .. VipScripts(lab, a)]);
        await master.WaitForLineAsync(MasterLine, FirstMaster);
        var ucarp = StartUcarp(lab, b, [.. CommonArgs(b, vip, 42, "secret", 50), .. VipScripts(lab, b)]);
        await ucarp.WaitForLineAsync(BackupLine, Short);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await Eventually.TrueAsync(() => lab.HasAddress(a, vip), "VIP on a", Short);
        Assert.Equal(["a"], Holders(lab, vip));
        Assert.Equal("BACKUP", LastState(ucarp));

        var fromMaster = master.LineCount;
        var fromUcarp = ucarp.LineCount;
        var signalledAt = DateTime.Now;
        master.Kill(LibC.SIGTERM);
        var bowedOut = await ucarp.WaitForLineAsync(TimeOutLine, Short, fromUcarp);
        var claimed = await ucarp.WaitForLineAsync(MasterLine, Short, fromUcarp);
        var exitCode = await master.WaitForExitAsync(Short);
        var exitedAfter = DateTime.Now - signalledAt;
        var downscript = await master.WaitForLineAsync($"Spawning [{lab.WorkDirectory}/vip-down-a.sh {a.Interface} {vip}]", TimeSpan.FromSeconds(1), fromMaster);

        var takeover = Stamp(claimed) - signalledAt;
        output.WriteLine($"SIGTERM -> ucarp MASTER after {Ms(takeover)} ('{TimeOutLine}' at +{Ms(Stamp(bowedOut) - signalledAt)}); downscript {Ms(Stamp(downscript) - Stamp(claimed))} after ucarp's MASTER line; exit code {exitCode} after {Ms(exitedAfter)} (master-down would be {Ms(MasterDown(50))})");
        Assert.Equal(0, exitCode);
        // Well before ucarp's master-down: the bow-out, not a timeout, moved it (ucarp reads up to ~1 s late).
        Assert.InRange(takeover, TimeSpan.Zero, TimeSpan.FromSeconds(1.5));
        Assert.True(Stamp(downscript) >= Stamp(claimed), $"downscript {downscript} before ucarp claimed {claimed}");
        await Eventually.TrueAsync(() => lab.HasAddress(b, vip) && !lab.HasAddress(a, vip), "VIP only on b", Short);
        Assert.Equal(["b"], Holders(lab, vip));
    }
}
