using System.Net;
using Xunit.Abstractions;
using Appliance.IntegrationTests.Lab;
using Appliance.Lab;
using static Appliance.IntegrationTests.Carp.CarpKit;

namespace Appliance.IntegrationTests.Carp;

/// <summary><c>appliance carp</c> against itself: election, client reachability, failover on SIGKILL, preemption, several VHIDs.</summary>
[Collection(LabCollection.Name)]
public sealed class CarpFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoApplianceNodes_MasterKilledThenRestarted_BackupTakesOverAndPreferredNodeTakesBackWithoutDuplicate()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var b = lab.AddNode("b");
        var client = lab.AddClient();
        var vip = lab.AllocateAddress();
        StartWhoAmIServer(lab, a);
        StartWhoAmIServer(lab, b);
        string[] ArgsA() => [.. CommonArgs(a, vip, 42, "secret", 0), "--preempt", "--manage-vip"];
        string[] argsB = [.. CommonArgs(b, vip, 42, "secret", 50), "--preempt", "--manage-vip"];

        var carpA = StartCarp(lab, a, ArgsA());
        var carpB = StartCarp(lab, b, argsB);
        await carpA.WaitForLineAsync(MasterLine, FirstMaster);
        await carpB.WaitForLineAsync(BackupLine, Short);
        // Longer than b's master-down since its start: b must be hearing a, not merely not timed out yet.
        await Task.Delay(MasterDown(50) + TimeSpan.FromSeconds(0.5));

        Assert.Equal("MASTER", LastState(carpA));
        Assert.Equal("BACKUP", LastState(carpB));
        Assert.Equal(["a"], Holders(lab, vip));
        Assert.Empty(LinesWith(carpA, BadDigest).Concat(LinesWith(carpB, BadDigest)));
        var ping = lab.Run(client, "ping", "-c", "1", "-W", "2", vip.ToString());
        Assert.True(ping.Succeeded, ping.ToString());
        Assert.Contains(a.Mac, lab.Run(client, "ip", "neigh", "show", vip.ToString()).StdOut, StringComparison.Ordinal);
        Assert.Equal("a", (await lab.HttpGetAsync(client, $"http://{vip}:8080/who")).Body.Trim());

        // SIGKILL: no bow-out, no cleanup. b must take over at its master-down (3.195 s after a's last advert).
        var fromB = carpB.LineCount;
        var killedAt = DateTime.Now;
        carpA.Kill();
        var vipOnB = Eventually.TrueAsync(() => lab.HasAddress(b, vip), "VIP on b", MasterDown(50) + TimeSpan.FromSeconds(3));
        var masterB = await carpB.WaitForLineAsync(MasterLine, MasterDown(50) + TimeSpan.FromSeconds(3), fromB);
        var vipDelay = await vipOnB;
        var takeover = Stamp(masterB) - killedAt;
        output.WriteLine($"SIGKILL of master a -> b 'Switching to state: MASTER' after {Ms(takeover)}, VIP seen on b after {Ms(vipDelay)} (master-down {Ms(MasterDown(50))})");
        Assert.InRange(takeover, TimeSpan.Zero, MasterDown(50) + TimeSpan.FromSeconds(1));
        Assert.InRange(vipDelay, TimeSpan.Zero, MasterDown(50) + TimeSpan.FromSeconds(1));
        await carpA.WaitForExitAsync(Short);
        // The killed run left its VIP behind (nothing removed it): a duplicate until a runs again.
        Assert.True(lab.HasAddress(a, vip), "a SIGKILLed --manage-vip run should leave its VIP configured");
        await Eventually.TrueAsync(
            () => lab.Run(client, "ip", "neigh", "show", vip.ToString()).StdOut.Contains(b.Mac, StringComparison.Ordinal),
            "client neighbour entry for the VIP pointing at b",
            Short);
        Assert.Equal("b", (await lab.HttpGetAsync(client, $"http://{vip}:8080/who")).Body.Trim());

        // a comes back with --preempt: it removes the stale VIP at start, then preempts on b's first advert.
        var restartedAt = DateTime.Now;
        var fromB2 = carpB.LineCount;
        var carpA2 = StartCarp(lab, a, ArgsA());
        await carpA2.WaitForLineAsync("left configured by an earlier run", Short);
        var masterA = await carpA2.WaitForLineAsync(MasterLine, FirstMaster);
        await carpA2.WaitForLineAsync("Putting MASTER down - preemption", Short);
        await carpB.WaitForLineAsync(BackupLine, Short, fromB2);
        await carpB.WaitForLineAsync("Preferred master advertised: going back to BACKUP state", Short, fromB2);
        await Eventually.TrueAsync(() => !lab.HasAddress(b, vip), "VIP gone from b", Short);
        output.WriteLine($"restart of a -> a 'Switching to state: MASTER' (preemption) after {Ms(Stamp(masterA) - restartedAt)} (includes the dotnet start)");
        Assert.True(
            IndexOf(carpA2, "left configured by an earlier run") < IndexOf(carpA2, MasterLine),
            "the stale VIP must be removed before a becomes MASTER:\n" + carpA2.Output);
        Assert.Equal(["a"], Holders(lab, vip));
        await Eventually.TrueAsync(
            () => lab.Run(client, "ip", "neigh", "show", vip.ToString()).StdOut.Contains(a.Mac, StringComparison.Ordinal),
            "client neighbour entry for the VIP pointing at a again",
            Short);
        Assert.Equal("a", (await lab.HttpGetAsync(client, $"http://{vip}:8080/who")).Body.Trim());
        Assert.Empty(LinesWith(carpA2, BadDigest).Concat(LinesWith(carpB, BadDigest)));
        // The restarted a adopted b's counter before preempting (docs/replay.md, Preempt): nothing legitimate is a replay.
        Assert.Empty(LinesWith(carpA2, "Replayed advert").Concat(LinesWith(carpB, "Replayed advert")));
    }

    [Fact]
    public async Task Next_TwoVhidsInOneProcessOnLoneNode_BothBecomeMasterAndHoldTheirVips()
    {
        await using var lab = new NetworkLab();
        var a = lab.AddNode("a");
        var vip1 = lab.AllocateAddress();
        var vip2 = lab.AllocateAddress();

        var startedAt = DateTime.Now;
        var carp = StartCarp(lab, a,
        [
            .. CommonArgs(a, vip1, 1, "one", 0), "--manage-vip",
            "--next",
            .. CommonArgs(a, vip2, 2, "two", 20), "--manage-vip",
        ]);
        var master1 = await carp.WaitForLineAsync($"[{a.Interface}/1] {MasterLine}", FirstMaster);
        var master2 = await carp.WaitForLineAsync($"[{a.Interface}/2] {MasterLine}", FirstMaster);
        await Eventually.TrueAsync(() => lab.HasAddress(a, vip1) && lab.HasAddress(a, vip2), "both VIPs on a", Short);

        output.WriteLine($"vhid 1 MASTER after {Ms(Stamp(master1) - startedAt)}, vhid 2 MASTER after {Ms(Stamp(master2) - startedAt)} (from process start)");
        Assert.False(carp.HasExited);
        Assert.Single(LinesWith(carp, MasterLine), l => l.Contains("/1]", StringComparison.Ordinal));
        Assert.Single(LinesWith(carp, MasterLine), l => l.Contains("/2]", StringComparison.Ordinal));
        // vhid 2 has the larger skew: its master-down (3 s + 20/256 s) ends after vhid 1's.
        Assert.True(Stamp(master2) > Stamp(master1), carp.Output);
        var labels = lab.Run(a, "ip", "-4", "-o", "addr", "show", "dev", a.Interface).StdOut;
        Assert.Contains($"{vip1}/32", labels, StringComparison.Ordinal);
        Assert.Contains($"{a.Interface}:ucarp", labels, StringComparison.Ordinal);
    }

    private static void StartWhoAmIServer(NetworkLab lab, LabNode node)
    {
        var root = Path.Combine(lab.WorkDirectory, "www-" + node.Name);
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "who"), node.Name + "\n");
        lab.Start(node, "python3", ["-u", "-m", "http.server", "8080", "--bind", "0.0.0.0", "--directory", root]);
    }
}
